/** The V8 flags the node runs with (see node-flags.js). */
export declare const NODE_FLAGS: string[];
