package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPutAllDelete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a := &Record{ID: "session-a", Status: "RUNNING", Labels: map[string]string{"k": "v"}, Created: time.Now()}
	b := &Record{ID: "session-b", Status: "PAUSED"}
	for _, r := range []*Record{a, b} {
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	if a.Seq == 0 || b.Seq <= a.Seq {
		t.Fatalf("sequence numbers not increasing: %d, %d", a.Seq, b.Seq)
	}
	a.Status = "PAUSING"
	if err := s.Put(a); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil {
		t.Fatal("a second Open of a database in use succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != "session-a" || all[1].ID != "session-b" {
		t.Fatalf("All = %+v", all)
	}
	if all[0].Status != "PAUSING" || all[0].Labels["k"] != "v" {
		t.Fatalf("record a = %+v", all[0])
	}
	if err := s.Delete("session-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("session-missing"); err != nil {
		t.Fatal(err)
	}
	all, _ = s.All()
	if len(all) != 1 || all[0].ID != "session-b" {
		t.Fatalf("after delete: %+v", all)
	}
}

// TestDamagedFile overwrites each page of a database in turn, and cuts it
// short: Open and All either return an error that names the file, or the
// records intact (the page was free; or it was the newer of the two meta
// pages, and bbolt went back to the state before the last write), but
// never crash (bbolt panics on pages it cannot read, and a page beyond the
// end of the file is a memory fault) and never return part of the records.
func TestDamagedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := Open(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"session-a", "session-b", "session-c"} {
		if err := s.Put(&Record{ID: id, Status: "RUNNING", Labels: map[string]string{"k": strings.Repeat("v", 100)}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Delete("session-c") // leaves a free page or two
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	rng := rand.New(rand.NewPCG(1, 2))
	type variant struct {
		name string
		data []byte
	}
	var variants []variant
	for p := 0; p*page < len(orig); p++ {
		for _, fill := range []string{"zeros", "ones", "noise"} {
			b := bytes.Clone(orig)
			for i := p * page; i < (p+1)*page && i < len(b); i++ {
				switch fill {
				case "zeros":
					b[i] = 0
				case "ones":
					b[i] = 0xff
				default:
					b[i] = byte(rng.Uint32())
				}
			}
			variants = append(variants, variant{fmt.Sprintf("page %d %s", p, fill), b})
		}
	}
	variants = append(variants, variant{"cut short", orig[:2*page+10]}, variant{"noise", noise(rng, len(orig))})

	failed := 0
	for _, v := range variants {
		path := filepath.Join(dir, strings.ReplaceAll(v.name, " ", "-")+".db")
		if err := os.WriteFile(path, v.data, 0o600); err != nil {
			t.Fatal(err)
		}
		all, err := openAll(path)
		switch {
		case err != nil:
			failed++
			if !strings.Contains(err.Error(), path) {
				t.Errorf("%s: the error does not name the file: %v", v.name, err)
			}
		case ids(all) != "session-a session-b" && ids(all) != "session-a session-b session-c":
			t.Errorf("%s: records %s", v.name, ids(all))
		case len(all[1].Labels["k"]) != 100:
			t.Errorf("%s: labels %v", v.name, all[1].Labels)
		}
	}
	if failed == 0 {
		t.Fatal("no damage was noticed")
	}
}

func ids(rs []Record) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return strings.Join(out, " ")
}

func openAll(path string) ([]Record, error) {
	s, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.All()
}

func noise(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// A database another server holds open is refused with a clear message
// after the lock wait, not waited on for ever.
func TestInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second Open: %v", err)
	}
}
