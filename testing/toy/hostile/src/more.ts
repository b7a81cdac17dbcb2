process.exit(0);
export const twice = 1;
