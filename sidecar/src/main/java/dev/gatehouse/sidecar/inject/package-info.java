/**
 * {@code gatehouse-sidecar inject}: Kubernetes manifests in, the same manifests guarded by Gatehouse out.
 *
 * <p>{@link dev.gatehouse.sidecar.inject.InjectCommand} reads the command line and the files; {@code Injector} decides
 * what changes in each document; {@code SidecarSpec} holds what is added (container, volumes, NetworkPolicy); {@code
 * ManifestStream} and {@code YamlMap} read and write YAML so that what is not changed keeps its text.
 */
package dev.gatehouse.sidecar.inject;
