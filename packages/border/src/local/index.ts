/**
 * `@residency/border/local`: the forwarder in the local runtime (a `residency up` plugin and the
 * local signing key). A subpath of its own so that Lambda bundles of the forwarder never pull in
 * the emulators.
 */
export {
  type ForwarderMappingOptions,
  type ForwarderPluginOptions,
  forwarderPlugin,
} from './forwarder-plugin.ts';
export { LOCAL_SIGNING_KEY_PATH, loadOrCreateLocalSigningKey } from './signing-key-file.ts';
