// Package ipx holds the address and prefix checks and set operations that
// several ipallow packages share, so that each states them once.
package ipx
