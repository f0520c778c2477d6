package synthetic

// SetCopyChunk sets how many rows one COPY statement takes and returns
// a function that restores it.
func SetCopyChunk(n int64) (restore func()) {
	old := copyChunk
	copyChunk = n
	return func() { copyChunk = old }
}
