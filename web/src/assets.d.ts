// Stylesheets imported for their side effect; Bun's bundler emits them as one CSS file.
declare module "*.css";
