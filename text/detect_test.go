package text

import "testing"

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want Language
	}{
		{"What did Microsoft report?", English},
		{"Who is Steven Cheung?", English},
		{"Wer ist Steven Cheung?", German},
		{"¿Qué dijo Microsoft?", Spanish},
		{"Qu'a dit Microsoft ?", French},
		{"O que a Microsoft disse sobre o Irã?", Portuguese},
		{"Was sagte der Iran über die Vorwürfe?", German},
		{"Quelle est la position de l'Iran ?", French},
		{"¿Cuándo empezó Politico a recibir los correos?", Spanish},
		{"summarize", English},
		{"", English},
		{"🙂🙂", English},
	} {
		if got := DetectLanguage(tc.q); got != tc.want {
			t.Errorf("DetectLanguage(%q) = %s, want %s", tc.q, got, tc.want)
		}
	}
}

func FuzzDetectLanguage(f *testing.F) {
	for _, s := range []string{"¿Qué dijo?", "qu'", "'", "’a", "Wer ist", "NEAR(", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lang := DetectLanguage(s)
		for _, l := range Languages {
			if l == lang {
				return
			}
		}
		t.Fatalf("DetectLanguage(%q) = %q, not one of Languages", s, lang)
	})
}
