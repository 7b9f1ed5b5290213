package chat

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCustomID(t *testing.T) {
	mac := "AAAAAAAAAAAA"
	for _, c := range []struct {
		in   string
		want CustomID
		err  error
	}{
		{"byl1:42:h:" + mac, CustomID{Answer: 42, Action: ActHelpful, mac: mac}, nil},
		{"byl1:42:n:" + mac, CustomID{Answer: 42, Action: ActNotHelpful, mac: mac}, nil},
		{"byl1:7:w:" + mac, CustomID{Answer: 7, Action: ActWrongSource, mac: mac}, nil},
		{"byl1:7:p:" + mac, CustomID{Answer: 7, Action: ActPickSource, mac: mac}, nil},
		{"byl1:7:r:" + mac, CustomID{Answer: 7, Action: ActReport, mac: mac}, nil},
		{"byl1:7:r12:" + mac, CustomID{Answer: 7, Action: ActReport, N: 12, mac: mac}, nil},
		// An older form is stale, not unknown.
		{"byl0:42:h:" + mac, CustomID{}, ErrStaleID},
		{"byl0:anything", CustomID{}, ErrStaleID},
		// Everything else is unknown.
		{"", CustomID{}, ErrUnknownID},
		{"hello", CustomID{}, ErrUnknownID},
		{"bylx:42:h:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:h", CustomID{}, ErrUnknownID},
		{"byl1:42:h:" + mac + ":x", CustomID{}, ErrUnknownID},
		{"byl1:042:h:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:0:h:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:-4:h:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:99999999999999999999:h:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:x:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:hh:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42::" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:r0:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:r100:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:r01:" + mac, CustomID{}, ErrUnknownID},
		{"byl1:42:h:short", CustomID{}, ErrUnknownID},
		{"byl1:42:h:AAAAAAAAAAA=", CustomID{}, ErrUnknownID},
		{"byl1:42:h:" + strings.Repeat("A", 80), CustomID{}, ErrUnknownID},
	} {
		got, err := ParseCustomID(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("ParseCustomID(%q): err = %v, want %v", c.in, err, c.err)
			continue
		}
		if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(CustomID{})); diff != "" {
			t.Errorf("ParseCustomID(%q) (-want +got):\n%s", c.in, diff)
		}
		if err == nil && got.String() != c.in {
			t.Errorf("ParseCustomID(%q).String() = %q", c.in, got.String())
		}
	}
}

// FuzzCustomID: the parser never panics, reads back only what it writes
// (each id has one text form), and keeps within the platforms' limits; a
// service accepts only ids it signed.
func FuzzCustomID(f *testing.F) {
	s := &Service{opts: ServiceOptions{Platform: "discord", Secret: []byte("fuzz")}}
	for _, seed := range []string{
		s.sign(CustomID{Answer: 1, Action: ActHelpful}),
		s.sign(CustomID{Answer: 1 << 40, Action: ActReport, N: 99}),
		s.sign(CustomID{Answer: 3, Action: ActPickSource}),
		"byl0:1:h:AAAAAAAAAAAA", "byl1:1:r:", "byl1:1:h:AAAAAAAAAAAA", "byl", ":::", "byl1:٣:h:AAAAAAAAAAAA",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCustomID(in)
		if err != nil {
			if !errors.Is(err, ErrUnknownID) && !errors.Is(err, ErrStaleID) {
				t.Fatalf("ParseCustomID(%q): unexpected error %v", in, err)
			}
			if _, verr := s.verify(in); verr == nil {
				t.Fatalf("verify(%q) accepted an id that does not parse", in)
			}
			return
		}
		if c.String() != in {
			t.Fatalf("ParseCustomID(%q).String() = %q: two forms of one id", in, c.String())
		}
		if len(in) > 100 {
			t.Fatalf("an id of %d bytes parsed: more than Discord's custom_id takes", len(in))
		}
		if c.Answer < 1 || c.N < 0 || c.N > maxN {
			t.Fatalf("ParseCustomID(%q) = %+v: out of range", in, c)
		}
		signed := s.sign(c)
		if _, err := s.verify(signed); err != nil {
			t.Fatalf("verify(sign(%+v)) = %v", c, err)
		}
		if _, err := s.verify(in); (err == nil) != (signed == in) {
			t.Fatalf("verify(%q) = %v, but the service's own signature is %q", in, err, signed)
		}
	})
}
