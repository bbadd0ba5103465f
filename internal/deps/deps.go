// Package deps holds no code: its test checks the import rules the
// package doc comments state, with go list, so that a change that would
// tie the layers together fails the tests instead of a review.
package deps
