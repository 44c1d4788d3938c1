/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord framing; check
/// value CRC32C("123456789") = 0xE3069283. Table-driven, one byte at a time (event files are small).
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The CRC-32C of `bytes`.
    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }

    /// TFRecord's masked CRC: rotate right by 15 and add 0xA282EAD8 (so a CRC of CRC-bearing data stays well-mixed).
    public static func masked<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        let c = checksum(bytes)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
