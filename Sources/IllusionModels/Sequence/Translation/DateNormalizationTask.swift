import Foundation

/// The generated translation task of `illusion train seq2seq`: a calendar date written by a human
/// in one of ``formats`` ("Sunday, May 3rd, 1998", "3.5.98", "05/03/1998", "03 MAY 1998", …) →
/// its ISO 8601 form `1998-05-03`. Dates run from 1950-01-01 to 2049-12-31; a two-digit year
/// means 1950…2049 (50–99 → 19xx, 00–49 → 20xx). Numeric conventions are unambiguous by their
/// separator: slashes are US month/day/year, dots are European day.month.year, dashes and
/// compact digits are year-month-day.
///
/// Held-out sets are disjoint from training **by calendar date**: every day of the range is
/// assigned to train, validation or test by a fixed hash of its day number (80/10/10), so a
/// held-out example is a date the model never saw in any format. Examples are drawn from a
/// seeded stream: the same seed gives the same sets.
public enum DateNormalizationTask {
    public static let firstYear = 1950
    public static let lastYear = 2049

    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                    "September", "October", "November", "December"]
    public static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// The human formats (a name for each, used in tests and the report).
    public static let formats = ["d MMMM yyyy", "dd MMM yyyy", "MMMM d, yyyy", "MMM d yyyy", "d MMM yy", "EEEE, MMMM do, yyyy",
                                 "EEE d MMM yyyy", "do of MMMM yyyy", "MM/dd/yyyy", "M/d/yy", "dd.MM.yyyy", "d.M.yy",
                                 "yyyy-MM-dd", "yyyyMMdd", "yyyy/M/d", "MMMM yyyy, d"]

    public enum Split: Int, Sendable { case train = 0, validation = 1, test = 2 }

    public struct Date: Equatable, Hashable, Sendable {
        public var year: Int, month: Int, day: Int
        public init(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }
        public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    }

    public struct Example: Equatable, Sendable {
        public var source: String
        public var target: String
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysIn(_ y: Int, _ m: Int) -> Int { m == 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].contains(m) ? 30 : 31 }

    /// Every day of the range in order.
    public static let allDates: [Date] = {
        var out: [Date] = []
        for y in firstYear...lastYear { for m in 1...12 { for d in 1...daysIn(y, m) { out.append(Date(year: y, month: m, day: d)) } } }
        return out
    }()

    /// The split of day number `index` (a fixed integer hash; 80 % train, 10 % validation, 10 % test).
    public static func split(ofDay index: Int) -> Split {
        var x = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29; x = x &* 0xBF58_476D_1CE4_E5B9; x ^= x >> 32
        let r = x % 10
        return r == 8 ? .validation : (r == 9 ? .test : .train)
    }

    /// Days of the week, 0 = Monday (1950-01-01 was a Sunday).
    static func weekday(ofDay index: Int) -> Int { (index + 6) % 7 }

    static func ordinal(_ d: Int) -> String {
        let suffix = (11...13).contains(d % 100) ? "th" : (d % 10 == 1 ? "st" : d % 10 == 2 ? "nd" : d % 10 == 3 ? "rd" : "th")
        return "\(d)\(suffix)"
    }

    /// `date` written in format number `format`; `casing` 0 = as written, 1 = lower case, 2 = upper case
    /// (month and weekday names only change).
    public static func render(_ date: Date, dayIndex: Int, format: Int, casing: Int = 0) -> String {
        let y = date.year, m = date.month, d = date.day
        let month = monthNames[m - 1], mon = String(month.prefix(3))
        let weekday = weekdayNames[weekday(ofDay: dayIndex)], wd = String(weekday.prefix(3))
        let yy = String(format: "%02d", y % 100)
        let two = { (v: Int) in String(format: "%02d", v) }
        let text: String
        switch format {
        case 0: text = "\(d) \(month) \(y)"
        case 1: text = "\(two(d)) \(mon) \(y)"
        case 2: text = "\(month) \(d), \(y)"
        case 3: text = "\(mon) \(d) \(y)"
        case 4: text = "\(d) \(mon) \(yy)"
        case 5: text = "\(weekday), \(month) \(ordinal(d)), \(y)"
        case 6: text = "\(wd) \(d) \(mon) \(y)"
        case 7: text = "\(ordinal(d)) of \(month) \(y)"
        case 8: text = "\(two(m))/\(two(d))/\(y)"
        case 9: text = "\(m)/\(d)/\(yy)"
        case 10: text = "\(two(d)).\(two(m)).\(y)"
        case 11: text = "\(d).\(m).\(yy)"
        case 12: text = date.iso
        case 13: text = String(format: "%04d%02d%02d", y, m, d)
        case 14: text = "\(y)/\(m)/\(d)"
        default: text = "\(month) \(y), \(d)"
        }
        switch casing {
        case 1: return text.lowercased()
        case 2: return text.uppercased()
        default: return text
        }
    }

    /// `count` examples of `split` drawn from `seed`: a uniformly random day of the split, format and
    /// casing (as written ½, lower ¼, upper ¼).
    public static func examples(_ split: Split, count: Int, seed: UInt64) -> [Example] {
        let days = allDates.indices.filter { Self.split(ofDay: $0) == split }
        var rng = RandomGenerator(seed: seed, stream: 0x6461_7465 + UInt64(split.rawValue))
        return (0..<count).map { _ in
            let index = days[rng.nextInt(below: days.count)]
            let format = rng.nextInt(below: formats.count)
            let c = rng.nextInt(below: 4)
            return Example(source: render(allDates[index], dayIndex: index, format: format, casing: c < 2 ? 0 : c - 1),
                           target: allDates[index].iso)
        }
    }
}

/// The character vocabularies of the date task. Source: id 0 is padding, then the characters that
/// ``DateNormalizationTask/render(_:dayIndex:format:casing:)`` can write. Target: 0 = start of
/// sequence (the decoder's first input), 1 = end of sequence, then `0…9` and `-`.
public enum DateVocabulary {
    public static let sourceCharacters = Array(" ',-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    public static let targetCharacters = Array("0123456789-")
    public static let padding = 0, start = 0, end = 1
    public static var sourceCount: Int { sourceCharacters.count + 1 }
    public static var targetCount: Int { targetCharacters.count + 2 }
    /// Characters of a generated ISO date plus the end token.
    public static let targetLength = 11

    static let sourceIndex: [Character: Int] = Dictionary(uniqueKeysWithValues: sourceCharacters.enumerated().map { ($1, $0 + 1) })
    static let targetIndex: [Character: Int] = Dictionary(uniqueKeysWithValues: targetCharacters.enumerated().map { ($1, $0 + 2) })

    /// Source ids of `text`; throws naming the first character outside the vocabulary.
    public static func encodeSource(_ text: String) throws -> [Int] {
        guard !text.isEmpty else { throw ModelError.invalidArgument("the date text is empty") }
        return try text.map { c in
            guard let i = sourceIndex[c] else {
                throw ModelError.invalidArgument("the date text '\(text)' holds '\(c)', outside the vocabulary (letters, digits, space and ' , - . /)")
            }
            return i
        }
    }

    /// Target ids of an ISO date followed by the end token.
    static func encodeTarget(_ text: String) -> [Int] { text.map { targetIndex[$0]! } + [end] }

    /// The text of target ids up to (without) the first end token.
    public static func decodeTarget(_ ids: [Int]) -> String {
        String(ids.prefix { $0 != end }.map { $0 >= 2 ? targetCharacters[$0 - 2] : "?" })
    }
}
