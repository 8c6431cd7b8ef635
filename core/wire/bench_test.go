package wire

import "testing"

// createReply is a CreateMcpSession reply as the service sends it: Data an
// object whose ToolList is a JSON string (spec 2.7).
const createReply = `{"Code":"ok","Data":{"AppInstanceId":"ai-123","HttpPort":"","LinkUrl":"https://link.example.invalid/","NetworkInterfaceIp":"","ResourceId":"p-123","ResourceUrl":"https://example.invalid/resource?x=1","SessionId":"session-0001","Success":true,"Token":"tok-abc","ToolList":"[{\"name\":\"shell\",\"description\":\"Executes a shell command\",\"inputSchema\":{\"type\":\"object\",\"required\":[\"command\",\"timeout_ms\"],\"properties\":{\"command\":{\"type\":\"string\"},\"timeout_ms\":{\"type\":\"integer\"}}},\"server\":\"wuying_shell\",\"tool\":\"shell\"},{\"name\":\"write_file\",\"description\":\"write\",\"inputSchema\":{\"type\":\"object\"},\"server\":\"wuying_filesystem\",\"tool\":\"write_file\"},{\"name\":\"read_file\",\"description\":\"read\",\"inputSchema\":{\"type\":\"object\"},\"server\":\"wuying_filesystem\",\"tool\":\"read_file\"},{\"name\":\"get_file_info\",\"description\":\"info\",\"inputSchema\":{\"type\":\"object\"},\"server\":\"wuying_filesystem\",\"tool\":\"get_file_info\"}]","VpcResource":false},"HttpStatusCode":200,"Message":"","RequestId":"5A3E1F0C-7B2D-4C8E-9F10-2B3C4D5E6F70","Success":true}`

func BenchmarkParseEnvelope(b *testing.B) {
	body := []byte(createReply)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r, err := ParseEnvelope("CreateMcpSession", 200, body)
		if err != nil || r.Data.Get("SessionId").Str != "session-0001" {
			b.Fatalf("parse: %v", err)
		}
	}
}
