/** The Cutout icon, `size` × `size` RGBA (default 128). */
export declare function penpotIcon(size?: number): { width: number; height: number; data: Uint8Array };
