package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf16"
)

// currentInput is the list a cluster has now, as -current gives it.
type currentInput struct {
	text    string // the list as a comma-separated value; "" when disabled
	source  string // the file name, "standard input", or "-ranges"
	shape   string // "cluster", "apiServerAccessProfile", "authorizedIpRanges" or "text"
	private bool   // apiServerAccessProfile.enablePrivateCluster is true
	vnet    bool   // apiServerAccessProfile.enableVnetIntegration is true
}

// readCurrent reads the file name ("-" for stdin) and decodes it.
func readCurrent(name string, stdin io.Reader) (*currentInput, error) {
	data, err := readAll(name, stdin)
	if err != nil {
		return nil, fmt.Errorf("-current: %v", err)
	}
	cur, err := decodeCurrent(data)
	if err != nil {
		return nil, fmt.Errorf("-current %s: %v", displayName(name), err)
	}
	cur.source = displayName(name)
	return &cur, nil
}

// errNotCluster is the error for JSON that holds no list.
var errNotCluster = errors.New("a JSON object with no apiServerAccessProfile or authorizedIpRanges; " +
	"give the output of az aks show (the whole cluster, --query apiServerAccessProfile, or --query apiServerAccessProfile.authorizedIpRanges)")

// decodeCurrent decodes what az aks show prints: the cluster object (as az
// prints it, or as the ARM REST API returns it, with "properties"), its
// apiServerAccessProfile, the authorizedIpRanges array, or a plain list
// (comma-, space- or newline-separated, as -o tsv prints it). Keys are
// matched ignoring case (az prints authorizedIpRanges, the REST API
// authorizedIPRanges). A null, absent or empty list means the ranges are
// disabled, and so does empty input (what -o tsv prints for null).
// Windows PowerShell writes files in UTF-16 with a byte-order mark; that
// and a UTF-8 byte-order mark are decoded.
func decodeCurrent(data []byte) (currentInput, error) {
	data, err := fromBOM(data)
	if err != nil {
		return currentInput{}, err
	}
	data = bytes.Trim(data, " \t\r\n") // the separators of joinText, and JSON's white space
	if len(data) == 0 {
		return currentInput{shape: "text"}, nil
	}
	switch data[0] {
	case '{', '[', '"':
	default:
		if !bytes.Equal(data, []byte("null")) {
			return currentInput{text: joinText(string(data)), shape: "text"}, nil
		}
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return currentInput{}, fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return currentInput{}, errors.New("invalid JSON: more data after the first value")
	}
	switch v := v.(type) {
	case nil:
		return currentInput{shape: "authorizedIpRanges"}, nil
	case string:
		return currentInput{text: joinText(v), shape: "text"}, nil
	case []any:
		if len(v) > 0 {
			if _, ok := v[0].(map[string]any); ok {
				return currentInput{}, errors.New("an array of objects (the output of az aks list?); give az aks show for one cluster")
			}
		}
		text, err := joinArray(v, "the array")
		if err != nil {
			return currentInput{}, err
		}
		return currentInput{text: text, shape: "authorizedIpRanges"}, nil
	case map[string]any:
		return fromObject(v)
	}
	return currentInput{}, fmt.Errorf("a JSON %s; give the output of az aks show", kindOf(v))
}

// fromObject finds the list in a cluster object or an access profile.
func fromObject(m map[string]any) (currentInput, error) {
	if p, ok := lookup(m, "apiServerAccessProfile"); ok {
		return fromProfile(p, "cluster")
	}
	if props, ok := lookup(m, "properties"); ok { // the ARM REST shape
		if pm, ok := props.(map[string]any); ok {
			if p, ok := lookup(pm, "apiServerAccessProfile"); ok {
				return fromProfile(p, "cluster")
			}
			if isCluster(pm) {
				return currentInput{shape: "cluster"}, nil
			}
		}
	}
	if isProfile(m) {
		return fromProfile(m, "apiServerAccessProfile")
	}
	if isCluster(m) { // a cluster that never had an access profile
		return currentInput{shape: "cluster"}, nil
	}
	if _, ok := lookup(m, "value"); ok {
		return currentInput{}, errors.New("a JSON object with a value array (az aks list or a REST list); give az aks show for one cluster")
	}
	return currentInput{}, errNotCluster
}

// fromProfile reads an apiServerAccessProfile (null means none).
func fromProfile(v any, shape string) (currentInput, error) {
	if v == nil {
		return currentInput{shape: shape}, nil
	}
	p, ok := v.(map[string]any)
	if !ok {
		return currentInput{}, fmt.Errorf("apiServerAccessProfile is a JSON %s, not an object", kindOf(v))
	}
	cur := currentInput{shape: shape}
	cur.private = isTrue(p, "enablePrivateCluster")
	cur.vnet = isTrue(p, "enableVnetIntegration")
	ranges, ok := lookup(p, "authorizedIpRanges")
	if !ok || ranges == nil {
		return cur, nil
	}
	a, ok := ranges.([]any)
	if !ok {
		return currentInput{}, fmt.Errorf("authorizedIpRanges is a JSON %s, not an array of strings", kindOf(ranges))
	}
	text, err := joinArray(a, "authorizedIpRanges")
	if err != nil {
		return currentInput{}, err
	}
	cur.text = text
	return cur, nil
}

// joinArray joins the strings of a JSON array with commas. AKS stores one
// range per element, so an element with a comma is an error rather than
// several entries.
func joinArray(a []any, what string) (string, error) {
	elems := make([]string, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return "", fmt.Errorf("%s[%d] is a JSON %s, not a string", what, i, kindOf(e))
		}
		if strings.Contains(s, ",") {
			return "", fmt.Errorf("%s[%d] %q holds a comma; AKS stores one range per element", what, i, clip(s))
		}
		elems[i] = s
	}
	return strings.Join(elems, ","), nil
}

// joinText turns a plain list, separated by commas, spaces, tabs or line
// breaks, into a comma-separated one. Empty pieces are dropped: az prints
// no empty entries.
func joinText(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	return strings.Join(fields, ",")
}

// lookup returns the value of key in m, matching the key ignoring case when
// it is not spelled exactly; of several such keys the first in sorted
// order wins.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	var keys []string
	for k := range m {
		if strings.EqualFold(k, key) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, false
	}
	slices.Sort(keys)
	return m[keys[0]], true
}

func isTrue(m map[string]any, key string) bool {
	v, _ := lookup(m, key)
	b, _ := v.(bool)
	return b
}

// isProfile reports whether m has a key that only an apiServerAccessProfile has.
func isProfile(m map[string]any) bool {
	for _, k := range []string{"authorizedIpRanges", "enablePrivateCluster", "enablePrivateClusterPublicFqdn",
		"enableVnetIntegration", "privateDnsZone", "disableRunCommand", "subnetId"} {
		if _, ok := lookup(m, k); ok {
			return true
		}
	}
	return false
}

// isCluster reports whether m looks like a managed cluster.
func isCluster(m map[string]any) bool {
	if t, _ := lookup(m, "type"); t != nil {
		if s, ok := t.(string); ok && strings.EqualFold(s, "Microsoft.ContainerService/ManagedClusters") {
			return true
		}
	}
	for _, k := range []string{"agentPoolProfiles", "kubernetesVersion"} {
		if _, ok := lookup(m, k); ok {
			return true
		}
	}
	return false
}

// kindOf names the JSON type of a decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// fromBOM decodes UTF-16 text with a byte-order mark into UTF-8 and drops
// a UTF-8 byte-order mark; other data is returned as it is.
func fromBOM(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		if len(data)%2 != 0 {
			return nil, errors.New("UTF-16 text with an odd number of bytes")
		}
		le := data[0] == 0xFF
		u := make([]uint16, 0, len(data)/2-1)
		for i := 2; i < len(data); i += 2 {
			if le {
				u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
			} else {
				u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
			}
		}
		return []byte(string(utf16.Decode(u))), nil
	}
	return data, nil
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
