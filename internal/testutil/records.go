package testutil

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/netcap-go/netcap/types" // the record types, registered
)

// sampleRecords are records as net capture writes them for the benchmark
// capture (bench/gen), by type, as net dump -json prints them: those of
// one TCP packet and of a UDP one, and a few of those written per
// connection or message.
var sampleRecords = []struct{ typ, json string }{
	{"Ethernet", `{"Timestamp":1795693921178011000,"SrcMAC":"00:00:00:00:00:00","DstMAC":"00:00:00:00:00:00","EthernetType":2048,"PayloadSize":428}`},
	{"IPv4", `{"Timestamp":1795693960040055000,"Version":4,"IHL":5,"Length":52,"Id":23310,"Flags":2,"TTL":64,"Protocol":6,"Checksum":56754,"SrcIP":"127.0.2.2","DstIP":"127.0.2.1","PayloadSize":32,"SrcPort":48474,"DstPort":80}`},
	{"TCP", `{"Timestamp":1795693921178011000,"SrcPort":80,"DstPort":48474,"SeqNum":1798951511,"AckNum":2184224292,"DataOffset":8,"PSH":true,"ACK":true,"Window":64,"Checksum":65441,"Options":[{"OptionType":1,"OptionLength":1},{"OptionType":1,"OptionLength":1},{"OptionType":8,"OptionLength":10,"OptionData":"5+bSSuAde9o="}],"PayloadSize":376,"SrcIP":"127.0.0.1","DstIP":"127.0.0.2","CommunityID":"1:TobAEZwqsYXrsLMr991Gr7W4Kxc="}`},
	{"UDP", `{"Timestamp":1795694449019005000,"SrcPort":53,"DstPort":40958,"Length":101,"Checksum":51321,"PayloadSize":93,"SrcIP":"127.0.27.1","DstIP":"127.0.27.2","CommunityID":"1:4TRoFQ0Ns/L4Al5qMWXIjJMx70k="}`},
	{"Connection", `{"TimestampFirst":1795694198947686000,"LinkProto":"Ethernet","NetworkProto":"IPv4","TransportProto":"TCP","ApplicationProto":"TLS","SrcMAC":"00:00:00:00:00:00","DstMAC":"00:00:00:00:00:00","SrcIP":"127.0.14.2","SrcPort":"33622","DstIP":"127.0.14.1","DstPort":"443","TotalSize":8622,"AppPayloadSize":7154,"NumPackets":22,"UID":"C_cjYPb13m7708rDk","TimestampLast":1795694198958012000,"Duration":10326000,"BytesServerToClient":7165,"BytesClientToServer":1457,"NumFINFlags":2,"NumACKFlags":21,"NumSYNFlags":2,"NumPSHFlags":9,"MeanWindowSize":5943,"CommunityID":"1:6g8Ht1Ezw1gywLNVYlBAYkGHVEQ=","PacketsClientToServer":11,"PacketsServerToClient":11,"AppPayloadClientToServer":723,"AppPayloadServerToClient":6431,"ConnState":"SF","FlushReason":"close","ServerName":"tls.example.test"}`},
	{"Flow", `{"TimestampFirst":1795694076658017000,"LinkProto":"Ethernet","NetworkProto":"IPv6","TransportProto":"TCP","ApplicationProto":"HTTP","SrcMAC":"00:00:00:00:00:00","DstMAC":"00:00:00:00:00:00","SrcIP":"::8:1","SrcPort":"80","DstIP":"::8:1","DstPort":"37292","TotalSize":675,"AppPayloadSize":237,"NumPackets":5,"UID":"CK43pkIrHqEtMIrP4","Duration":8212000,"TimestampLast":1795694076666229000,"NumFINFlags":1,"NumACKFlags":5,"NumSYNFlags":1,"NumPSHFlags":2,"MeanWindowSize":12902,"MinPacketSize":86,"MaxPacketSize":271,"MeanPacketSize":135,"StdDevPacketSize":70.69370551894984,"MinIAT":50000,"MaxIAT":4428000,"MeanIAT":2.053e+06,"StdDevIAT":1.960014413212311e+06,"CommunityID":"1:+gwP04uw7/h0bdEidtGOXOq2hVc=","FlushReason":"close"}`},
	{"DNS", `{"Timestamp":1795694371354284000,"ID":54683,"QR":true,"AA":true,"RD":true,"RA":true,"QDCount":1,"ANCount":1,"ARCount":1,"Questions":[{"Name":"11.2.0.192.in-addr.arpa","Type":12,"Class":1}],"Answers":[{"Name":"11.2.0.192.in-addr.arpa","Type":12,"Class":1,"DataLength":18,"Data":"A3d3dwdleGFtcGxlBHRlc3QA","PTR":"d3d3LmV4YW1wbGUudGVzdA=="}],"Additionals":[{"Type":41,"Class":1232}],"SrcIP":"127.0.23.1","DstIP":"127.0.23.2","SrcPort":53,"DstPort":34046,"CommunityID":"1:G2sRSoVfd8TJIQaCMHhi451ZXns="}`},
	{"HTTP", `{"Timestamp":1795694853924996000,"Proto":"HTTP/1.1","Method":"GET","Host":"[::1]","UserAgent":"curl/7.88.1","URL":"/index.html","ResContentLength":52,"StatusCode":200,"SrcIP":"::30:1","DstIP":"::30:1","ServerName":"SimpleHTTP/0.6 Python/3.11.2","ResContentType":"text/html","DoneAfter":4486000,"FirstByteAfter":4436000,"ResContentTypeDetected":"text/html","RequestHeader":{"Accept":"*/*","Host":"[::1]","User-Agent":"curl/7.88.1"},"ResponseHeader":{"Content-Length":"52","Content-Type":"text/html","Date":"Thu, 26 Nov 2026 11:52:01 GMT","Last-Modified":"Thu, 26 Nov 2026 11:51:59 GMT","Server":"SimpleHTTP/0.6 Python/3.11.2"},"SrcPort":37292,"DstPort":80,"CommunityID":"1:slu/f91O93ZAHUKHWG4QWc+6oWs="}`},
	{"TLSClientHello", `{"Timestamp":1795695870065884000,"Type":22,"Version":769,"MessageLen":512,"HandshakeType":1,"HandshakeLen":508,"HandshakeVersion":771,"Random":"c2phYExWyA4frjuMB7683mExZMJ2bnIg3G5H8xY0i80=","SessionIDLen":32,"SessionID":"kG3kG0Cnpzo5gRDBHxcHpvXq3PmgGr05ow20pu+mG/Q=","CipherSuiteLen":8,"ExtensionLen":427,"SNI":"tls.example.test","CipherSuites":[4866,4867,4865,255],"CompressMethods":[0],"SignatureAlgs":[1027,1283,1539,2055,2056,2057,2058,2059,2052,2053,2054,1025,1281,1537],"SupportedGroups":[29,23,30,25,24,256,257,258,259,260],"SupportedPoints":[0,1,2],"ALPNs":["h2","http/1.1"],"Ja3":"89dfc51e72bdcb94e4ba4622588002b1","SrcIP":"127.0.100.2","DstIP":"127.0.100.1","SrcMAC":"00:00:00:00:00:00","DstMAC":"00:00:00:00:00:00","SrcPort":33622,"DstPort":443,"Extensions":[0,11,10,16,22,23,49,13,43,45,51,21],"Ja3String":"771,4866-4867-4865-255,0-11-10-16-22-23-49-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2","Ja4":"t13d0412h2_16476d049b0b_85302d7e289e","SupportedVersions":[772],"CommunityID":"1:vnb/oWoDsDWMTps5UfQTWs8gqNE="}`},
}

// SampleRecords returns new copies of the sample records, for benchmarks
// of their encoding: Ethernet, IPv4, TCP and UDP first.
func SampleRecords(t testing.TB) []proto.Message {
	var records []proto.Message
	for _, r := range sampleRecords {
		mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName("types." + r.typ))
		if err != nil {
			t.Fatal(err)
		}
		m := mt.New().Interface()
		if err := protojson.Unmarshal([]byte(r.json), m); err != nil {
			t.Fatalf("%s: %v", r.typ, err)
		}
		records = append(records, m)
	}
	return records
}
