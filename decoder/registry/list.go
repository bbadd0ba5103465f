package registry

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/netcap-go/netcap/decoder"
)

// List prints every record type by group with its field count, as
// Netcap's capture -decoders does.
func List(w io.Writer) {
	groups := map[decoder.Group][]decoder.Info{}
	for _, i := range Infos() {
		groups[i.Group] = append(groups[i.Group], i)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	total, fields := 0, 0
	for _, g := range []decoder.Group{decoder.GroupGoPacket, decoder.GroupPacket, decoder.GroupStream, decoder.GroupAbstract} {
		infos := groups[g]
		if len(infos) == 0 {
			continue
		}
		slices.SortFunc(infos, func(a, b decoder.Info) int { return strings.Compare(a.Name, b.Name) })
		gf := 0
		for _, i := range infos {
			gf += i.NumFields()
		}
		fmt.Fprintf(tw, "%s (%d decoders, %d fields)\n", g, len(infos), gf)
		for _, i := range infos {
			fmt.Fprintf(tw, "  %s\t%d fields\t%s\n", i.Name, i.NumFields(), i.Description)
		}
		total += len(infos)
		fields += gf
	}
	fmt.Fprintf(tw, "\n%d decoders, %d fields in total\n", total, fields)
	tw.Flush()
}
