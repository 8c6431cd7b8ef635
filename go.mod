module github.com/libagentbay/libagentbay

go 1.26

require (
	github.com/go-resty/resty/v2 v2.17.2
	github.com/goccy/go-json v0.12.0
	github.com/stretchr/testify v1.12.1
	github.com/tidwall/gjson v1.20.2
	go.etcd.io/bbolt v1.5.0
	golang.org/x/sys v0.45.0
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.3.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.43.0 // indirect
)
