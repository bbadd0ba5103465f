package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// EAPOLKey reads EAPOL-Key frames: the 802.11 key descriptors (RSN,
// type 2, and WPA, type 254) of the 4-way and group key handshakes, and the
// RC4 descriptor (type 1) of 802.1X-2004 dynamic WEP.
//
// EncryptedKeyData holds the Key Data field when the key information's
// Encrypted Key Data bit is set, as gopacket has it (the key data of the
// other messages, RSN or WPA information elements, is not kept).
var EAPOLKey = newDecoder(
	decoder.Info{Name: "EAPOLKey", Type: types.Type_NC_EAPOLKey, Description: "EAPOL-Key frames: 802.11 4-way and group key handshakes, 802.1X RC4 keys"},
	layers.LayerTypeEAPOLKey,
	func() gopacket.DecodingLayer { return &eapolKeyLayer{} },
	func() *types.EAPOLKey { return &types.EAPOLKey{} },
	func(l *layers.EAPOLKey, p *Packet, r *types.EAPOLKey) {
		r.Timestamp = p.Timestamp
		r.KeyDescriptorType = int32(l.KeyDescriptorType)
		r.KeyDescriptorVersion = int32(l.KeyDescriptorVersion)
		r.KeyType = int32(l.KeyType)
		r.KeyIndex = int32(l.KeyIndex)
		r.Install = l.Install
		r.KeyACK = l.KeyACK
		r.KeyMIC = l.KeyMIC
		r.Secure = l.Secure
		r.MICError = l.MICError
		r.Request = l.Request
		r.HasEncryptedKeyData = l.HasEncryptedKeyData
		r.SMKMessage = l.SMKMessage
		r.KeyLength = int32(l.KeyLength)
		r.ReplayCounter = l.ReplayCounter
		r.Nonce = copyBytes(l.Nonce)
		r.IV = copyBytes(l.IV)
		r.RSC = l.RSC
		r.ID = l.ID
		r.MIC = copyBytes(l.MIC)
		r.KeyDataLength = int32(l.KeyDataLength)
		r.EncryptedKeyData = copyBytes(l.EncryptedKeyData)
	},
)

const (
	// eapolKeyRSNLen is the fixed part of an 802.11 key descriptor, up to
	// and including the Key Data Length (with a 16-byte MIC).
	eapolKeyRSNLen = 95
	// eapolKeyRC4Len is the fixed part of an RC4 key descriptor, up to and
	// including the Key Signature.
	eapolKeyRC4Len = 44
)

// eapolKeyLayer decodes an EAPOL-Key body into a layers.EAPOLKey. gopacket's
// own EAPOLKey is no decoding layer (its CanDecode has the wrong signature),
// reads every descriptor with the 802.11 layout and drops the frame when its
// key data is cut short. Here the RC4 descriptor (802.1X-2004 7.6: Key
// Length, Replay Counter, Key IV, Key Index, Key Signature, Key) is read
// with its own layout: the Key Index's low 7 bits are KeyIndex, its top bit
// (unicast) KeyType, the Key Signature is MIC and the (RC4-encrypted) Key is
// EncryptedKeyData, whose length is KeyDataLength. Key data cut short by the
// capture is kept as far as it goes.
type eapolKeyLayer struct{ layers.EAPOLKey }

func (k *eapolKeyLayer) unwrap() gopacket.Layer { return &k.EAPOLKey }

func (k *eapolKeyLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeEAPOLKey }

// NextLayerType is Payload: the key data is kept in the record, not decoded
// further.
func (k *eapolKeyLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

func (k *eapolKeyLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	k.EAPOLKey = layers.EAPOLKey{}
	if len(data) < 1 {
		df.SetTruncated()
		return errors.New("EAPOL-Key frame empty")
	}
	k.KeyDescriptorType = layers.EAPOLKeyDescriptorType(data[0])
	if k.KeyDescriptorType == layers.EAPOLKeyDescriptorTypeRC4 {
		if len(data) < eapolKeyRC4Len {
			df.SetTruncated()
			return errors.New("EAPOL-Key RC4 descriptor too short")
		}
		k.KeyLength = binary.BigEndian.Uint16(data[1:3])
		k.ReplayCounter = binary.BigEndian.Uint64(data[3:11])
		k.IV = data[11:27]
		k.KeyType = layers.EAPOLKeyType(data[27] >> 7)
		k.KeyIndex = data[27] & 0x7f
		k.MIC = data[28:44]
		if key := data[eapolKeyRC4Len:]; len(key) > 0 {
			k.EncryptedKeyData = key
			k.HasEncryptedKeyData = true
			k.KeyDataLength = uint16(min(len(key), 0xffff))
		}
		k.Contents, k.Payload = data, nil
		return nil
	}
	if len(data) < eapolKeyRSNLen {
		df.SetTruncated()
		return errors.New("EAPOL-Key descriptor too short")
	}
	info := binary.BigEndian.Uint16(data[1:3])
	k.KeyDescriptorVersion = layers.EAPOLKeyDescriptorVersion(info & 0x0007)
	k.KeyType = layers.EAPOLKeyType(info >> 3 & 1)
	k.KeyIndex = uint8(info >> 4 & 3)
	k.Install = info&0x0040 != 0
	k.KeyACK = info&0x0080 != 0
	k.KeyMIC = info&0x0100 != 0
	k.Secure = info&0x0200 != 0
	k.MICError = info&0x0400 != 0
	k.Request = info&0x0800 != 0
	k.HasEncryptedKeyData = info&0x1000 != 0
	k.SMKMessage = info&0x2000 != 0
	k.KeyLength = binary.BigEndian.Uint16(data[3:5])
	k.ReplayCounter = binary.BigEndian.Uint64(data[5:13])
	k.Nonce = data[13:45]
	k.IV = data[45:61]
	k.RSC = binary.BigEndian.Uint64(data[61:69])
	k.ID = binary.BigEndian.Uint64(data[69:77])
	k.MIC = data[77:93]
	k.KeyDataLength = binary.BigEndian.Uint16(data[93:95])
	end := eapolKeyRSNLen + int(k.KeyDataLength)
	if end > len(data) {
		df.SetTruncated()
		end = len(data)
	}
	if k.HasEncryptedKeyData {
		k.EncryptedKeyData = data[eapolKeyRSNLen:end]
	}
	k.Contents, k.Payload = data[:end], data[end:]
	return nil
}
