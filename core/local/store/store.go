// Package store keeps the records of local sessions in a bbolt database, so
// that sessions, labels and statuses survive a restart or a crash of the
// server.
package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var bucket = []byte("sessions")

// Record is what is kept of one session.
type Record struct {
	ID        string            `json:"id"`
	Seq       uint64            `json:"seq"` // creation order, assigned by Put
	Status    string            `json:"status"`
	Labels    map[string]string `json:"labels,omitempty"`
	ImageID   string            `json:"imageId"`
	PolicyID  string            `json:"policyId,omitempty"`
	Token     string            `json:"token"`     // guards the /callTool route
	LinkToken string            `json:"linkToken"` // guards the GetLink proxy
	Created   time.Time         `json:"created"`
	Contexts  []Mount           `json:"contexts,omitempty"` // contexts mounted at create
	// IdleTimeout releases the session after that long without a call on
	// it (CreateMcpSession's Timeout); 0: never.
	IdleTimeout time.Duration `json:"idleTimeout,omitempty"`
}

// Mount is a context mounted in a session: its id, the session path and
// the sync policy (a JSON text, as the SDKs send it).
type Mount struct {
	ContextID string `json:"contextId"`
	Path      string `json:"path"`
	Policy    string `json:"policy,omitempty"`
	BindTime  int64  `json:"bindTime,omitempty"` // Unix seconds
}

// Store is a bbolt database of session records.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens or creates the database at path. It fails after a second if
// another process holds the database, rather than waiting for ever.
//
// bbolt panics on pages it cannot read, and a page beyond the end of a
// damaged file is a memory fault; here a damaged file is an error that
// says so. Open reads every page in use once (bbolt reads the meta pages
// and the free list, readAll the records), so that later calls meet only
// pages that were sound; they too turn a panic or a fault into an error.
func Open(path string) (_ *Store, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var db *bolt.DB
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			err = fmt.Errorf("open %s: %w; move the file away to start with no sessions", path, damaged(r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: the database is in use by another process", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Read the records here, not with bbolt's checker: that runs on a
	// goroutine of its own, where a fault is fatal, and refuses a damaged
	// meta page that bbolt itself has recovered from (going back to the
	// previous write), as a crash may leave one.
	if err = db.View(readAll); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w; move the file away to start with no sessions", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// readAll reads every record, to find the faults of the pages that hold them.
func readAll(tx *bolt.Tx) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if !json.Valid(v) {
			return damaged(fmt.Sprintf("the record %q is not JSON", k))
		}
		return nil
	})
}

// damaged describes a fault of the database file: a panic of bbolt, or a
// record that is not JSON.
func damaged(fault any) error {
	return fmt.Errorf("the database is damaged: %v", fault)
}

// guard turns a panic of bbolt in a method of s into an error; the method
// has made memory faults panics (debug.SetPanicOnFault).
func (s *Store) guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %w", s.path, damaged(r))
	}
}

// Put writes r, first giving it the next sequence number if it has none.
func (s *Store) Put(r *Record) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(&err)
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if r.Seq == 0 {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			r.Seq = seq
		}
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put([]byte(r.ID), v)
	})
}

// Delete removes the record of session id; a missing record is not an error.
func (s *Store) Delete(id string) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(&err)
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(id))
	})
}

// All returns every record in creation order.
func (s *Store) All() (_ []Record, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard(&err)
	var all []Record
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("record %q: %w", k, err)
			}
			all = append(all, r)
			return nil
		})
	})
	slices.SortFunc(all, func(a, b Record) int { return cmp.Compare(a.Seq, b.Seq) })
	return all, err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
