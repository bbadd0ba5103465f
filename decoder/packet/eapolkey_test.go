package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// eapolKeyRSNCase compares the EAPOL-Key records of 802.11 key descriptors
// (RSN and WPA): every field of the key information, lengths, replay
// counter, nonce, IV, RSC, ID and MIC (tshark has RSC and ID as bytes, the
// record as numbers). The record's EncryptedKeyData is the key data when
// the Encrypted Key Data bit is set (tshark shows the key data always):
// eapolKeyRSNEncrypted compares it.
var eapolKeyRSNCase = tsharkCase{
	typ:    "EAPOLKey",
	filter: "eapol.type == 3 && eapol.keydes.type != 1",
	keep:   func(m proto.Message) bool { return m.(*types.EAPOLKey).KeyDescriptorType != 1 },
	fields: []tf{
		{ours: "KeyDescriptorType", tshark: "eapol.keydes.type"},
		{ours: "KeyDescriptorVersion", tshark: "wlan_rsna_eapol.keydes.key_info.keydes_version"},
		{ours: "KeyType", tshark: "wlan_rsna_eapol.keydes.key_info.key_type"},
		{ours: "KeyIndex", tshark: "wlan_rsna_eapol.keydes.key_info.key_index"},
		{ours: "Install", tshark: "wlan_rsna_eapol.keydes.key_info.install"},
		{ours: "KeyACK", tshark: "wlan_rsna_eapol.keydes.key_info.key_ack"},
		{ours: "KeyMIC", tshark: "wlan_rsna_eapol.keydes.key_info.key_mic"},
		{ours: "Secure", tshark: "wlan_rsna_eapol.keydes.key_info.secure"},
		{ours: "MICError", tshark: "wlan_rsna_eapol.keydes.key_info.error"},
		{ours: "Request", tshark: "wlan_rsna_eapol.keydes.key_info.request"},
		{ours: "HasEncryptedKeyData", tshark: "wlan_rsna_eapol.keydes.key_info.encrypted_key_data"},
		{ours: "SMKMessage", tshark: "wlan_rsna_eapol.keydes.key_info.smk_message"},
		{ours: "KeyLength", tshark: "eapol.keydes.key_len"},
		{ours: "ReplayCounter", tshark: "eapol.keydes.replay_counter"},
		{ours: "Nonce", tshark: "wlan_rsna_eapol.keydes.nonce"},
		{ours: "IV", tshark: "eapol.keydes.key_iv"},
		{ours: "RSC", tshark: "wlan_rsna_eapol.keydes.rsc", conv: hexBytesNumber},
		{ours: "ID", tshark: "wlan_rsna_eapol.keydes.id", conv: hexBytesNumber},
		{ours: "MIC", tshark: "wlan_rsna_eapol.keydes.mic"},
		{ours: "KeyDataLength", tshark: "wlan_rsna_eapol.keydes.data_len"},
	},
}

// eapolKeyRSNEncrypted compares the key data of the descriptors whose
// Encrypted Key Data bit is set.
var eapolKeyRSNEncrypted = tsharkCase{
	typ:    "EAPOLKey",
	filter: "eapol.type == 3 && eapol.keydes.type != 1 && wlan_rsna_eapol.keydes.key_info.encrypted_key_data == 1",
	keep: func(m proto.Message) bool {
		r := m.(*types.EAPOLKey)
		return r.HasEncryptedKeyData && r.KeyDescriptorType != 1
	},
	fields: []tf{
		{ours: "ReplayCounter", tshark: "eapol.keydes.replay_counter"},
		{ours: "EncryptedKeyData", tshark: "wlan_rsna_eapol.keydes.data"},
	},
}

// eapolKeyRC4Case compares the records of 802.1X RC4 key descriptors:
// KeyType is the key index's unicast bit, KeyIndex its number, MIC the key
// signature, EncryptedKeyData the key and KeyDataLength its length.
var eapolKeyRC4Case = tsharkCase{
	typ:    "EAPOLKey",
	filter: "eapol.keydes.type == 1",
	keep:   func(m proto.Message) bool { return m.(*types.EAPOLKey).KeyDescriptorType == 1 },
	fields: []tf{
		{ours: "KeyDescriptorType", tshark: "eapol.keydes.type"},
		{ours: "KeyLength", tshark: "eapol.keydes.key_len"},
		{ours: "ReplayCounter", tshark: "eapol.keydes.replay_counter"},
		{ours: "IV", tshark: "eapol.keydes.key_iv"},
		{ours: "KeyType", tshark: "eapol.keydes.key_index.type"},
		{ours: "KeyIndex", tshark: "eapol.keydes.key_index.number"},
		{ours: "MIC", tshark: "eapol.keydes.key_signature"},
		{ours: "EncryptedKeyData", tshark: "eapol.keydes.key"},
		{ours: "KeyDataLength", tshark: "eapol.keydes.key", conv: hexByteCount},
	},
}

// TestEAPOLKeyAgainstTshark: WPA2 4-way handshakes (messages 1 to 4, with
// and without key data, encrypted in message 3).
func TestEAPOLKeyAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, "public/ndpi/android.pcap", "public/ndpi/iphone.pcap")
	compareWithTshark(t, eapolKeyRSNCase, pcaps...)
	compareWithTshark(t, eapolKeyRSNEncrypted, pcaps...)
}

// TestEAPOLKeySynthAgainstTshark: RC4 descriptors, a group key message with
// key index 1, a request with the MIC error and SMK bits, a WPA (254)
// descriptor, on Ethernet and in 802.11 data frames.
func TestEAPOLKeySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := eapolSyntheticCaptures(t)
	compareWithTshark(t, eapolKeyRSNCase, pcaps...)
	compareWithTshark(t, eapolKeyRSNEncrypted, pcaps...)
	compareWithTshark(t, eapolKeyRC4Case, pcaps...)
}

func FuzzEAPOLKey(f *testing.F) {
	var seeds [][]byte
	for _, p := range eapolPackets() {
		if p[1] == 3 {
			seeds = append(seeds, p[4:])
		}
	}
	fuzzLayer(f, layers.LayerTypeEAPOLKey, seeds...)
}
