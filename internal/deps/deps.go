// Package deps holds no code: its tests check the structure the design
// states, so that a change against it fails the tests instead of a
// review: the import rules of the package doc comments (with go list),
// and that the orchestration (collector, cmd/net) stays in short steps.
package deps
