package engine

import "math/rand/v2"

// Hooks for engine's external tests (package engine_test), which may import the packages
// that import engine (engine/describe, engine/check).

// StartWorkload starts the workload of `zablab check` (n clients writing and reading
// three keys) with the random stream of seed and purpose.
func StartWorkload(c *Cluster, n int, seed int64, purpose string) {
	newWorkload(c, n, rand.New(newStream(seed, purpose))).start()
}
