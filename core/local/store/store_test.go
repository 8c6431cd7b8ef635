package store

import (
	"path/filepath"
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
