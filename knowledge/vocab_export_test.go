package knowledge

import "context"

// VocabSize builds the spelling corrector's vocabulary afresh, as the first
// Correct after a change of the stored text does, and returns its size:
// the stored stems, the stems that may be corrections, and the entries of
// the deletion index. It lets the external benchmarks time the build.
func (s *Store) VocabSize(ctx context.Context) (stems, candidates, deletions int, err error) {
	v, err := s.buildVocab(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	return len(v.df), len(v.names), len(v.keys), nil
}
