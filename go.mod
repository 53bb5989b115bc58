module github.com/frontgate/frontgate

go 1.26
