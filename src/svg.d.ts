/** Lets TypeScript import SVG files as strings (raw-loaded by the builder). */
declare module '*.svg' {
  const value: string;
  export default value;
}
