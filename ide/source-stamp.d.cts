export declare const STAMP_FILE: string;
export declare function sourceStamp(): string;
export declare function isUpToDate(outDir?: string): boolean;
