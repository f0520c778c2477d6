// Package auth turns a request's bearer token into a viewer: it makes and
// checks API keys and caches verified (and refused) keys briefly. The HTTP
// edge (internal/server) refuses bad keys with 401 before any resolver
// runs.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// KeyPrefix starts every key, so keys are recognisable in configuration
// files and secret scanners.
const KeyPrefix = "sg_"

// keyBytes is the randomness of a key: 256 bits.
const keyBytes = 32

var keyLen = len(KeyPrefix) + base64.RawURLEncoding.EncodedLen(keyBytes)

// Key is a freshly made API key. Secret is shown to its owner once; only
// Hash is stored.
type Key struct {
	Secret string
	Hash   []byte
	// Prefix is the first characters of the secret, to tell keys apart in
	// listings without revealing them.
	Prefix string
}

// NewKey makes a random key.
func NewKey() (Key, error) {
	b := make([]byte, keyBytes)
	if _, err := rand.Read(b); err != nil {
		return Key{}, err
	}
	secret := KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	h := Hash(secret)
	return Key{Secret: secret, Hash: h[:], Prefix: secret[:len(KeyPrefix)+6]}, nil
}

// Hash is the stored form of a key.
func Hash(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// wellFormed checks a key's shape without touching the database.
func wellFormed(secret string) bool {
	if len(secret) != keyLen || !strings.HasPrefix(secret, KeyPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(secret[len(KeyPrefix):])
	return err == nil
}
