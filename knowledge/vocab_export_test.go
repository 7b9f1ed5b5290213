package knowledge

import (
	"context"
	"runtime"
)

// VocabSize builds the spelling corrector's vocabulary afresh, as the first
// Correct after a change of the stored text does, and returns its size:
// the stored stems, the stems that may be corrections, the entries of the
// deletion index, and the heap bytes the built vocabulary holds (measured
// across a garbage collection when measure is set). It lets the external
// benchmarks time the build.
func (s *Store) VocabSize(ctx context.Context, measure bool) (stems, candidates, deletions int, heap uint64, err error) {
	var before, after runtime.MemStats
	if measure {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	v, err := s.buildVocab(ctx)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	if measure {
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
	}
	runtime.KeepAlive(v)
	return len(v.df), len(v.names), len(v.keys), heap, nil
}
