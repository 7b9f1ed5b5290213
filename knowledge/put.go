package knowledge

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Put stores a batch of articles in one transaction, each article behind its
// own savepoint: an article either goes in whole or not at all, and one bad
// article does not stop the others. A crash in the middle loses only the
// uncommitted batch, which the next run of the same ingest stores again.
//
// The returned error is for failures of the whole batch (the database is
// gone, the context ended); per-article problems are in the results.
func (s *Store) Put(ctx context.Context, batch []Article) ([]PutResult, error) {
	results := make([]PutResult, len(batch))
	if err := s.loadRefs(ctx); err != nil {
		return nil, err
	}
	prepared := make([]prepared, len(batch))
	pending := 0
	s.mu.Lock()
	for i := range batch {
		p, err := prepare(batch[i])
		if err != nil {
			results[i].Err = err
			continue
		}
		prepared[i] = p
		if st, ok := s.refs[p.a.Ref]; ok && st.fingerprint == p.fingerprint {
			results[i] = PutResult{ArticleID: st.articleID, Outcome: Unchanged}
			continue
		}
		pending++
	}
	s.mu.Unlock()
	if pending == 0 {
		return results, nil
	}

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("knowledge: put: begin: %w", err)
	}
	defer tx.Rollback()
	w, err := newWriter(ctx, tx, s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("knowledge: put: %w", err)
	}
	w.citedSince = s.citedSince()
	defer w.close()

	changed := false
	newRefs := make(map[string]refState)
	for i := range batch {
		if results[i].Err != nil || results[i].Outcome == Unchanged {
			continue
		}
		p := prepared[i]
		if _, err := tx.ExecContext(ctx, "SAVEPOINT article"); err != nil {
			return nil, fmt.Errorf("knowledge: put: %w", err)
		}
		id, outcome, changes, err := w.put(ctx, p)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO article"); rerr != nil {
				return nil, fmt.Errorf("knowledge: put: %w", errors.Join(err, rerr))
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("knowledge: put: %w", ctx.Err())
			}
			results[i].Err = fmt.Errorf("store %s: %w", p.a.Ref, err)
		} else {
			results[i] = PutResult{ArticleID: id, Outcome: outcome, Changes: changes}
			newRefs[p.a.Ref] = refState{articleID: id, fingerprint: p.fingerprint}
			changed = changed || outcome == Added || outcome == Updated
		}
		if _, err := tx.ExecContext(ctx, "RELEASE article"); err != nil {
			return nil, fmt.Errorf("knowledge: put: %w", err)
		}
	}
	if changed {
		if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = value + 1 WHERE key = 'generation'"); err != nil {
			return nil, fmt.Errorf("knowledge: put: %w", err)
		}
	}
	var version int64
	if len(newRefs) > 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO meta (key, value) VALUES (?, 1)
			ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`, refsVersionKey).Scan(&version)
		if err != nil {
			return nil, fmt.Errorf("knowledge: put: %w", err)
		}
	}
	w.close()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("knowledge: put: commit: %w", err)
	}
	s.mu.Lock()
	// The cache takes this batch's refs only if it was current just
	// before the batch; else someone else wrote too, and the next Put
	// reads the refs again.
	if len(newRefs) > 0 && s.refs != nil && s.refsVersion == version-1 {
		for ref, st := range newRefs {
			s.refs[ref] = st
		}
		s.refsVersion = version
	}
	if changed {
		s.df = dfCache{}
	}
	s.mu.Unlock()
	return results, nil
}

// refsVersionKey is the meta row counting the commits that wrote refs. The
// refs cache is good while the count is the one it was read at: a count
// moved by another process (`bot ingest` while `bot serve` runs) or
// another Store on the same file means the cache may hold a fingerprint
// the database no longer has, and it is read again.
const refsVersionKey = "refs"

// loadRefs makes the refs cache current: it reads every ref's fingerprint
// when the cache is missing or stale, so that re-ingesting an unchanged
// corpus costs one query, not one per article.
func (s *Store) loadRefs(ctx context.Context) error {
	v, err := refsVersion(ctx, s.read)
	if err != nil {
		return fmt.Errorf("knowledge: load refs: %w", err)
	}
	s.mu.Lock()
	fresh := s.refs != nil && s.refsVersion == v
	s.mu.Unlock()
	if fresh {
		return nil
	}
	// One read transaction: the refs and their version from one snapshot.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("knowledge: load refs: %w", err)
	}
	defer tx.Rollback()
	if v, err = refsVersion(ctx, tx); err != nil {
		return fmt.Errorf("knowledge: load refs: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT ref, article_id, fingerprint FROM article_refs")
	if err != nil {
		return fmt.Errorf("knowledge: load refs: %w", err)
	}
	defer rows.Close()
	refs := make(map[string]refState)
	for rows.Next() {
		var ref string
		var st refState
		if err := rows.Scan(&ref, &st.articleID, &st.fingerprint); err != nil {
			return fmt.Errorf("knowledge: load refs: %w", err)
		}
		refs[ref] = st
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("knowledge: load refs: %w", err)
	}
	s.mu.Lock()
	// A concurrent Put may have read a newer snapshot meanwhile.
	if s.refs == nil || v > s.refsVersion {
		s.refs, s.refsVersion = refs, v
	}
	s.mu.Unlock()
	return nil
}

// refsVersion reads the count of commits that wrote refs.
func refsVersion(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM meta WHERE key = ?), 0)", refsVersionKey).Scan(&v)
	return v, err
}

// prepared is an article checked and hashed, ready to write.
type prepared struct {
	a           Article
	contentHash string // the paragraphs alone: the same text from two places
	fingerprint string // the paragraphs and metadata: has this ref changed?
}

// prepare checks an article and computes its hashes.
func prepare(a Article) (prepared, error) {
	if strings.TrimSpace(a.Ref) == "" {
		return prepared{}, errors.New("article has no ref")
	}
	if len(a.Paragraphs) == 0 {
		return prepared{}, fmt.Errorf("%s: article has no text", a.Ref)
	}
	for i, p := range a.Paragraphs {
		if !utf8.ValidString(p) {
			return prepared{}, fmt.Errorf("%s: paragraph %d is not valid UTF-8", a.Ref, i+1)
		}
		if strings.TrimSpace(p) == "" {
			return prepared{}, fmt.Errorf("%s: paragraph %d is empty", a.Ref, i+1)
		}
	}
	h := sha256.New()
	for _, p := range a.Paragraphs {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	content := sum(h)
	h.Reset()
	for _, f := range []string{content, a.ID, a.Source, a.Title, a.URL, a.Author, a.Language} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	if !a.Published.IsZero() {
		h.Write([]byte(a.Published.UTC().Format("2006-01-02T15:04:05Z")))
	}
	return prepared{a: a, contentHash: content, fingerprint: sum(h)}, nil
}

func sum(h hash.Hash) string {
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// writer holds the statements one batch reuses.
type writer struct {
	tx  *sql.Tx
	now int64
	// citedSince is the earliest answer time (Unix seconds) whose
	// citations a change is checked against; negative checks none.
	citedSince   int64
	insPara      *sql.Stmt
	insFTS       *sql.Stmt
	refByArticle *sql.Stmt
}

func newWriter(ctx context.Context, tx *sql.Tx, now int64) (*writer, error) {
	w := &writer{tx: tx, now: now}
	var err error
	if w.insPara, err = tx.PrepareContext(ctx, "INSERT INTO paragraphs (article_id, ordinal, text, pid, version) VALUES (?, ?, ?, ?, ?)"); err != nil {
		return nil, err
	}
	if w.insFTS, err = tx.PrepareContext(ctx, "INSERT INTO paragraphs_fts (rowid, title, body) VALUES (?, ?, ?)"); err != nil {
		w.close()
		return nil, err
	}
	if w.refByArticle, err = tx.PrepareContext(ctx, "SELECT count(*) FROM article_refs WHERE article_id = ? AND ref <> ?"); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range []*sql.Stmt{w.insPara, w.insFTS, w.refByArticle} {
		if st != nil {
			st.Close()
		}
	}
	w.insPara, w.insFTS, w.refByArticle = nil, nil, nil
}

// put writes one article and says what it did, and for an article stored
// again, which of its paragraphs changed.
func (w *writer) put(ctx context.Context, p prepared) (string, Outcome, []ParagraphChange, error) {
	var (
		id, oldHash string
		known       bool
	)
	err := w.tx.QueryRowContext(ctx, `SELECT r.article_id, a.content_hash FROM article_refs r
		JOIN articles a ON a.id = r.article_id WHERE r.ref = ?`, p.a.Ref).Scan(&id, &oldHash)
	switch {
	case err == nil:
		known = true
	case errors.Is(err, sql.ErrNoRows):
	default:
		return "", 0, nil, err
	}
	if known {
		var others int
		if err := w.refByArticle.QueryRowContext(ctx, id, p.a.Ref).Scan(&others); err != nil {
			return "", 0, nil, err
		}
		if others == 0 || oldHash == p.contentHash {
			changes, err := w.replace(ctx, id, oldHash, p)
			if err != nil {
				return "", 0, nil, err
			}
			return id, Updated, changes, nil
		}
		// The text under this ref changed but other refs still hold the
		// old text: this ref now names a different article.
		if _, err := w.tx.ExecContext(ctx, "DELETE FROM article_refs WHERE ref = ?", p.a.Ref); err != nil {
			return "", 0, nil, err
		}
	}

	err = w.tx.QueryRowContext(ctx, "SELECT id FROM articles WHERE content_hash = ? LIMIT 1", p.contentHash).Scan(&id)
	switch {
	case err == nil:
		if err := w.upsertRef(ctx, p.a.Ref, id, p.fingerprint); err != nil {
			return "", 0, nil, err
		}
		return id, Merged, nil, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", 0, nil, err
	}

	id, err = w.newID(ctx, p.a)
	if err != nil {
		return "", 0, nil, err
	}
	_, err = w.tx.ExecContext(ctx, `INSERT INTO articles
		(id, source, title, url, author, language, published, ingested, updated, content_hash, pid_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, p.a.Source, p.a.Title, p.a.URL, p.a.Author, p.a.Language, published(p.a), w.now, w.now,
		p.contentHash, len(p.a.Paragraphs))
	if err != nil {
		return "", 0, nil, err
	}
	places := make([]placed, len(p.a.Paragraphs))
	for i := range places {
		places[i] = placed{pid: newPID(id, i+1), version: 1, from: -1}
	}
	if err := w.insertParagraphs(ctx, id, p.a, places); err != nil {
		return "", 0, nil, err
	}
	if err := w.upsertRef(ctx, p.a.Ref, id, p.fingerprint); err != nil {
		return "", 0, nil, err
	}
	return id, Added, nil, nil
}

// replace rewrites a known article's metadata and paragraphs, records the
// update, and returns the paragraphs changed or removed; each of those an
// answer in the correction window cited leaves a pending correction.
func (w *writer) replace(ctx context.Context, id, oldHash string, p prepared) ([]ParagraphChange, error) {
	var seq int
	err := w.tx.QueryRowContext(ctx, `UPDATE articles SET source = ?, title = ?, url = ?, author = ?,
		language = ?, published = ?, updated = ?, revision = revision + 1, content_hash = ? WHERE id = ?
		RETURNING pid_seq`,
		p.a.Source, p.a.Title, p.a.URL, p.a.Author, p.a.Language, published(p.a), w.now, p.contentHash, id).Scan(&seq)
	if err != nil {
		return nil, err
	}
	old, err := w.oldParagraphs(ctx, id)
	if err != nil {
		return nil, err
	}
	places := align(old, p.a.Paragraphs)
	used := make([]bool, len(old))
	var changes []ParagraphChange
	for i := range places {
		if places[i].from < 0 {
			seq++
			places[i] = placed{pid: newPID(id, seq), version: 1, from: -1}
			continue
		}
		o := old[places[i].from]
		used[places[i].from] = true
		if places[i].version != o.version {
			changes = append(changes, ParagraphChange{PID: o.pid, OldVersion: o.version, NewVersion: places[i].version,
				OldText: o.text, NewText: p.a.Paragraphs[i], Paragraph: i + 1})
		}
	}
	for i, o := range old {
		if !used[i] {
			changes = append(changes, ParagraphChange{PID: o.pid, OldVersion: o.version, OldText: o.text})
		}
	}
	if _, err := w.tx.ExecContext(ctx, "UPDATE articles SET pid_seq = ? WHERE id = ?", seq, id); err != nil {
		return nil, err
	}
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM paragraphs_fts WHERE rowid IN
		(SELECT id FROM paragraphs WHERE article_id = ?)`, id); err != nil {
		return nil, err
	}
	if _, err := w.tx.ExecContext(ctx, "DELETE FROM paragraphs WHERE article_id = ?", id); err != nil {
		return nil, err
	}
	if err := w.insertParagraphs(ctx, id, p.a, places); err != nil {
		return nil, err
	}
	if _, err := w.tx.ExecContext(ctx, "INSERT INTO article_updates (article_id, at, ref, old_hash, new_hash) VALUES (?, ?, ?, ?, ?)",
		id, w.now, p.a.Ref, oldHash, p.contentHash); err != nil {
		return nil, err
	}
	if err := w.pendCorrections(ctx, id, changes, correctionNote(p.a.Paragraphs)); err != nil {
		return nil, err
	}
	return changes, w.upsertRef(ctx, p.a.Ref, id, p.fingerprint)
}

// oldParagraphs reads an article's stored paragraphs in order.
func (w *writer) oldParagraphs(ctx context.Context, id string) ([]oldParagraph, error) {
	rows, err := w.tx.QueryContext(ctx, "SELECT pid, version, text FROM paragraphs WHERE article_id = ? ORDER BY ordinal", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oldParagraph
	for rows.Next() {
		var o oldParagraph
		if err := rows.Scan(&o.pid, &o.version, &o.text); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// pendCorrections leaves a pending correction for every posted answer of
// the correction window that cites one of changes' paragraphs at an older
// version and was not told of this version yet. A paragraph changed again before the
// bot told of the first change updates the one pending row: the notice
// tells what the answer cited and what the paragraph says now.
func (w *writer) pendCorrections(ctx context.Context, articleID string, changes []ParagraphChange, note string) error {
	if len(changes) == 0 || w.citedSince < 0 {
		return nil
	}
	for _, c := range changes {
		newVersion := c.NewVersion
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO pending_corrections
			(answer_id, n, pid, article_id, old_version, new_version, old_text, new_text, note, at)
			SELECT c.answer_id, c.n, c.pid, ?, c.version, ?, c.text, ?, ?, ?
			FROM answer_citations c JOIN answers a ON a.id = c.answer_id
			WHERE c.pid = ? AND a.at >= ? AND a.message != ''
				AND (? = 0 OR c.version < ?)
				AND NOT EXISTS (SELECT 1 FROM correction_notices n
					WHERE n.answer_id = c.answer_id AND n.pid = c.pid AND n.new_version = ?)
			ON CONFLICT (answer_id, pid) DO UPDATE SET new_version = excluded.new_version,
				new_text = excluded.new_text, note = excluded.note, at = excluded.at`,
			articleID, newVersion, c.NewText, note, w.now, c.PID, w.citedSince, newVersion, newVersion, newVersion); err != nil {
			return fmt.Errorf("pending corrections for %s: %w", c.PID, err)
		}
	}
	return nil
}

func (w *writer) insertParagraphs(ctx context.Context, id string, a Article, places []placed) error {
	for i, text := range a.Paragraphs {
		res, err := w.insPara.ExecContext(ctx, id, i+1, text, places[i].pid, places[i].version)
		if err != nil {
			return err
		}
		rowid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := w.insFTS.ExecContext(ctx, rowid, a.Title, text); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) upsertRef(ctx context.Context, ref, id, fingerprint string) error {
	_, err := w.tx.ExecContext(ctx, `INSERT INTO article_refs (ref, article_id, fingerprint, seen) VALUES (?, ?, ?, ?)
		ON CONFLICT (ref) DO UPDATE SET article_id = excluded.article_id,
		fingerprint = excluded.fingerprint, seen = excluded.seen`, ref, id, fingerprint, w.now)
	return err
}

// newID picks the id of a new article: the article's own id when it has
// one, else a slug of its ref's last path element; a number is appended
// when the id is taken.
func (w *writer) newID(ctx context.Context, a Article) (string, error) {
	base := slug(a.ID)
	if base == "" {
		base = slug(refName(a.Ref))
	}
	if base == "" {
		h := sha256.Sum256([]byte(a.Ref))
		base = "a-" + hex.EncodeToString(h[:4])
	}
	id := base
	for n := 2; ; n++ {
		var taken int
		if err := w.tx.QueryRowContext(ctx, "SELECT count(*) FROM articles WHERE id = ?", id).Scan(&taken); err != nil {
			return "", err
		}
		if taken == 0 {
			return id, nil
		}
		id = base + "-" + strconv.Itoa(n)
	}
}

// refName is the most readable part of a ref: the file name without its
// extension, or a URL's last path element.
func refName(ref string) string {
	if i := strings.LastIndexByte(ref, '#'); i >= 0 && i+1 < len(ref) {
		return ref[i+1:]
	}
	if u, err := url.Parse(ref); err == nil && u.Scheme != "" && u.Host != "" {
		name := path.Base(strings.TrimSuffix(u.Path, "/"))
		if name == "." || name == "/" {
			return u.Host
		}
		return strings.TrimSuffix(name, path.Ext(name))
	}
	name := filepath.Base(ref)
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// slug keeps letters, digits, dots, underscores and dashes, lowercased, and
// at most 64 bytes, so an id is easy to type in a chat command.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.'):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	return strings.Trim(b.String(), "-.")
}

func published(a Article) any {
	if a.Published.IsZero() {
		return nil
	}
	return a.Published.Unix()
}

// citedSince is the writer's citedSince for a Put now.
func (s *Store) citedSince() int64 {
	if s.correctionWin < 0 {
		return -1
	}
	return s.now().Add(-s.correctionWin).Unix()
}
