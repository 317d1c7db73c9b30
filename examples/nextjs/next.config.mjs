// The optscan addon is a native module: keep it out of the server bundle so Node loads
// the .node file itself. `serverExternalPackages` covers an installed package; the
// webpack external also covers this example's `file:` link to ../../bindings-node, which
// resolves outside node_modules.
/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ['optscan'],
  webpack(config, { isServer }) {
    if (isServer) config.externals.push({ optscan: 'commonjs optscan' });
    return config;
  },
};
export default nextConfig;
