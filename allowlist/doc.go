// Package allowlist parses, validates, compiles and enforces CIDR allowlists
// with the rules of Azure Kubernetes Service's API server authorized IP ranges.
package allowlist
