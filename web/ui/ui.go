// Package ui is the learner's page: a browser app whose sources are in src/,
// bundled with esbuild by `make` (node build.mjs) into dist/, and embedded
// into the binary from there, so the page works offline and from any
// working directory.
package ui

import (
	"embed"
	"errors"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// ErrNotBuilt is returned by Files when the binary was built without the
// bundle.
var ErrNotBuilt = errors.New("the page was not built into this binary: build with `make build` (it runs npm ci and node build.mjs in web/ui), not plain `go build`")

// Files returns the built page: index.html and assets/ (whose names carry a
// hash of their content).
func Files() (fs.FS, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, ErrNotBuilt
	}
	return sub, nil
}
