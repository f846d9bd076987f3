package engine_test

// The invariant checker lives in engine/check, which imports engine; this external test file
// links it into engine's test binary, so its init registers it before any test builds a
// cluster (internal tests included).
import _ "github.com/zablab/zablab/engine/check"
