package stream

// The lists the tests inside this package make their runs with: the
// protocols in the collector's order (collector/streams.go), and the
// observers of this package (those of other packages import this one, so
// its own tests cannot have them).
var (
	allProtocols = []Protocol{HTTP, POP3, SMTP, SSH}
	ownObservers = []NewObserver{NewConnsWriter, NewTLSHelloReader}
)
