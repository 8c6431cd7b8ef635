// Package store keeps the records of local sessions in a bbolt database, so
// that sessions, labels and statuses survive a restart or a crash of the
// server.
package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
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
}

// Store is a bbolt database of session records.
type Store struct {
	db *bolt.DB
}

// Open opens or creates the database at path. It fails after a second if
// another process holds the database, rather than waiting for ever.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: the database is in use by another process", path)
	}
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

// Put writes r, first giving it the next sequence number if it has none.
func (s *Store) Put(r *Record) error {
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
func (s *Store) Delete(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(id))
	})
}

// All returns every record in creation order.
func (s *Store) All() ([]Record, error) {
	var all []Record
	err := s.db.View(func(tx *bolt.Tx) error {
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
