export const twice = (;
