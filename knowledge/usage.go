package knowledge

import (
	"context"
	"fmt"
)

// AddUsage adds n to the running count key and returns the new total; n
// may be 0 to read it. Counts survive restarts: the daily token budget
// keeps one per day.
func (r *records) AddUsage(ctx context.Context, key string, n int64) (int64, error) {
	var total int64
	err := r.write.QueryRowContext(ctx, `INSERT INTO usage (key, n) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET n = n + excluded.n RETURNING n`, key, n).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("knowledge: usage %q: %w", key, err)
	}
	return total, nil
}
