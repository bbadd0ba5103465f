package collector

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Print writes the end-of-run summary: what was read, records per type,
// decode errors per layer and layers nothing here decodes.
func (s *Summary) Print(w io.Writer) {
	s.printInput(w)
	s.printTypes(w)
	s.printTables(w)
	s.printProblems(w)
}

// printInput prints what was read and how fast.
func (s *Summary) printInput(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "source\t%s\n", s.Source)
	fmt.Fprintf(tw, "packets read\t%d (%s)\n", s.Packets, humanBytes(s.Bytes))
	fmt.Fprintf(tw, "elapsed\t%s\n", s.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(tw, "packets/s\t%.0f\n", s.PacketsPerSecond())
	fmt.Fprintf(tw, "workers\t%d\n", s.Workers)
	if line := s.StopLine(); line != "" {
		fmt.Fprintf(tw, "STOPPED EARLY\t%s\n", line)
	}
	if len(s.LinkType) > 0 {
		fmt.Fprintf(tw, "link types\t%s\n", joinCounts(s.LinkType))
	}
	if s.Stats.Truncated > 0 {
		fmt.Fprintf(tw, "truncated packets\t%d\n", s.Stats.Truncated)
	}
	if s.Oversize.OverOriginal > 0 {
		fmt.Fprintf(tw, "captured > original length\t%d (decoded as captured)\n", s.Oversize.OverOriginal)
	}
	if s.Oversize.OverSnap > 0 {
		fmt.Fprintf(tw, "captured > snap length\t%d (decoded as captured)\n", s.Oversize.OverSnap)
	}
	if s.Stats.TooDeep > 0 {
		fmt.Fprintf(tw, "packets cut at layer limit\t%d\n", s.Stats.TooDeep)
	}
	if s.Stats.Panics > 0 {
		fmt.Fprintf(tw, "decoder panics caught\t%d\n", s.Stats.Panics)
	}
	tw.Flush()
}

// printTypes prints one row per layer decoded or record type written:
// layers without a record type of their own (transit layers) show
// records 0.
func (s *Summary) printTypes(w io.Writer) {
	names := make([]string, 0, len(s.Stats.Layers)+len(s.Records))
	for n := range s.Stats.Layers {
		names = append(names, n)
	}
	for n := range s.Records {
		if _, ok := s.Stats.Layers[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var total int64
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer / record type\tdecoded\trecords\tshare\terrors\t")
	for _, n := range names {
		l := s.Stats.Layers[n]
		records := l.Records
		if r, ok := s.Records[n]; ok {
			records = r
		}
		total += records
		share := 0.0
		if s.Packets > 0 {
			share = 100 * float64(records) / float64(s.Packets)
		}
		decoded := "-"
		if l.Decoded > 0 || l.Errors > 0 {
			decoded = fmt.Sprint(l.Decoded)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f%%\t%d\t\n", n, decoded, records, share, l.Errors)
	}
	fmt.Fprintf(tw, "total records\t\t%d\t\t\t\n", total)
	tw.Flush()
}

// printTables prints what the tables did: reassembly, stores, the live
// source, the filter, flows, profiles, fragments and the memory budget.
func (s *Summary) printTables(w io.Writer) {
	if r := s.Reassembly; r.Conns+r.UDPConversations > 0 {
		fmt.Fprintf(w, "\nreassembly: %d TCP connections (%d seen mid-stream), %d UDP conversations, %s in order\n",
			r.Conns, r.MidStream, r.UDPConversations, humanBytes(r.Bytes))
		fmt.Fprintf(w, "  closed: %d FIN, %d RST, %d timed out, %d evicted (connection bound)\n", r.ClosedFIN, r.ClosedRST, r.TimedOut, r.Evicted)
		fmt.Fprintf(w, "  segments: %d with data, %d out of order, %d retransmitted; %s overlapping (first copy kept)\n",
			r.Segments, r.OutOfOrder, r.Retransmitted, humanBytes(r.OverlapBytes))
		fmt.Fprintf(w, "  lost: %s in %d holes skipped (not captured, or over the buffer bounds); peak buffered %s\n",
			humanBytes(r.LostBytes), r.ForcedSkips, humanBytes(r.BufferedPeak))
	}
	if len(s.StoreDrops) > 0 {
		fmt.Fprintf(w, "\nstores full, dropped: %s\n", joinCounts(s.StoreDrops))
	}
	if s.Live != nil {
		fmt.Fprintf(w, "\nlive capture: %d packets received by the socket, %d dropped by the kernel (ring full), %d dropped by the interface\n",
			s.Live.Received, s.Live.KernelDrops, s.Live.IfaceDrops)
	}
	if s.Filtered > 0 {
		fmt.Fprintf(w, "\nfilter: %d packets did not match\n", s.Filtered)
	}
	if f := s.Flows; f.Conns > 0 {
		fmt.Fprintf(w, "\nflows: %d connections (%s), %d packets in flows, %d without one; peak %d tracked, %d evicted (-max-flows)\n",
			f.Conns, joinCounts(f.Reasons), f.Packets, f.NoFlow, f.PeakFlows, f.Evicted)
	}
	if p := s.Profiles; p.IPs+p.Devices > 0 {
		fmt.Fprintf(w, "\nprofiles: %d IP, %d device; %d evicted (-max-profiles), %d list entries left out at their bounds\n",
			p.IPs, p.Devices, p.Evicted, p.Dropped)
	}
	if d := s.Defrag; d.Fragments > 0 {
		fmt.Fprintf(w, "\nIP fragments: %d, %d datagrams reassembled, %d overlapping, %d expired, %d evicted, %d invalid\n",
			d.Fragments, d.Reassembled, d.Overlaps, d.Expired, d.Evicted, d.Invalid)
	}
	if s.Limits != nil {
		fmt.Fprintf(w, "\nmemory budget %s\n", s.Limits)
	}
}

// printProblems prints what was not decoded and why.
func (s *Summary) printProblems(w io.Writer) {
	if len(s.Stats.Skipped) > 0 {
		fmt.Fprintf(w, "\nskipped (not decodable per packet): %s\n", joinCounts(s.Stats.Skipped))
	}
	if len(s.Stats.Unknown) > 0 {
		fmt.Fprintf(w, "\nlayers without a decoder (not decoded): %s\n", joinCounts(s.Stats.Unknown))
	}
	if len(s.Stats.ErrorSamples) > 0 {
		keys := make([]string, 0, len(s.Stats.ErrorSamples))
		for k := range s.Stats.ErrorSamples {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fmt.Fprintln(w, "\nfirst decode error per layer:")
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %s\n", k, s.Stats.ErrorSamples[k])
		}
	}
	if s.Warning != nil {
		fmt.Fprintf(w, "\nwarning: %v (records of the packets before it were written)\n", s.Warning)
	}
}

func joinCounts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			if m[a] > m[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
