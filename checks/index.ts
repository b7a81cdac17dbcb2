/** gradmark/checks: finite differences and gradient checks for tensors of the kit. */
export {};
