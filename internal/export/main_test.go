package export_test

import (
	"testing"

	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
