/** Types for engine-choice.cjs (plain JavaScript: prisma.cjs and prisma.config.ts both load it). */
export declare const BRIDGE: string;
export declare function nativeSchemaEngine(): string | undefined;
export declare function useBridgeUnlessNative(env: NodeJS.ProcessEnv): void;
