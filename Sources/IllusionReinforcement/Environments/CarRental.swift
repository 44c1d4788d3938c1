import Foundation

/// Jack's car rental (Sutton & Barto, Example 4.2).
///
/// State (n₁, n₂): cars at each location at the end of the day, 0…`maxCars` (state index n₁·(maxCars+1) + n₂,
/// drawn with n₁ down the rows). Action a ∈ −`maxMove`…`maxMove`: cars moved overnight from location 1 to 2
/// (negative: 2 to 1), at $2 each; only moves the lot can make are available (a ≤ n₁, −a ≤ n₂); cars beyond
/// `maxCars` after the move are lost. Next day: requests ~ Poisson(3), Poisson(4) and returns
/// ~ Poisson(3), Poisson(2), $10 per car rented (rentals = min(requests, cars)), returned cars become
/// available the next day, at most `maxCars` kept. γ = 0.9.
///
/// The day's dynamics depend only on the cars after the move (the afterstate), so one outcome table per
/// afterstate is computed exactly (the Poisson tails are summed into the capped counts, so every row
/// sums to 1) and shared by every (state, action) that leads there. Each outcome carries the expected
/// rental income given the afterstate as its reward (the MDP's r(s, a) and so its values are exact).
public enum CarRental {
    public struct Parameters: Sendable {
        public var maxCars = 20
        public var maxMove = 5
        public var requestMeans = (3.0, 4.0)
        public var returnMeans = (3.0, 2.0)
        public var rentalIncome = 10.0
        public var moveCost = 2.0
        public var gamma = 0.9
        public init() {}
    }

    /// Action id for moving `a` cars is `a + maxMove`.
    public static func make(_ p: Parameters = Parameters()) throws -> MarkovDecisionProcess {
        let m = p.maxCars, side = m + 1, n = side * side
        let one = locationTable(maxCars: m, requestMean: p.requestMeans.0, returnMean: p.returnMeans.0)
        let two = locationTable(maxCars: m, requestMean: p.requestMeans.1, returnMean: p.returnMeans.1)
        // One outcome list per afterstate (c₁, c₂).
        var after: [[Outcome]] = []
        after.reserveCapacity(n)
        for c1 in 0..<side {
            for c2 in 0..<side {
                let income = p.rentalIncome * (one.expectedRentals[c1] + two.expectedRentals[c2])
                var list: [Outcome] = []
                list.reserveCapacity(n)
                for e1 in 0..<side where one.next[c1][e1] > 0 {
                    for e2 in 0..<side where two.next[c2][e2] > 0 {
                        list.append(Outcome(next: e1 * side + e2, probability: one.next[c1][e1] * two.next[c2][e2], reward: income))
                    }
                }
                after.append(list)
            }
        }
        var actions: [[Int]] = [], models: [[ActionModel]] = []
        for n1 in 0..<side {
            for n2 in 0..<side {
                var ids: [Int] = [], row: [ActionModel] = []
                for a in -p.maxMove...p.maxMove where a <= n1 && -a <= n2 {
                    let c1 = min(n1 - a, m), c2 = min(n2 + a, m)
                    ids.append(a + p.maxMove)
                    row.append(ActionModel(outcomes: after[c1 * side + c2], actionReward: -p.moveCost * Double(abs(a))))
                }
                actions.append(ids)
                models.append(row)
            }
        }
        return try MarkovDecisionProcess(
            name: "car-rental", stateNames: (0..<n).map { "(\($0 / side),\($0 % side))" },
            actionNames: (-p.maxMove...p.maxMove).map { "move \($0)" }, actions: actions, models: models,
            isTerminal: Array(repeating: false, count: n), gamma: p.gamma, startState: 10 * side + 10,
            layout: GridLayout(rows: side, columns: side))
    }

    /// The index k of "move 0" among the actions of every state (Jack's initial policy π₀).
    public static func noMoveChoices(_ mdp: MarkovDecisionProcess, maxMove: Int = 5) -> [Int] {
        (0..<mdp.stateCount).map { mdp.choiceIndex(state: $0, action: maxMove)! }
    }

    /// One location's day: from c cars in the morning, P(e cars in the evening) and E[rentals].
    static func locationTable(maxCars m: Int, requestMean: Double, returnMean: Double)
        -> (next: [[Double]], expectedRentals: [Double]) {
        let requests = poisson(mean: requestMean, upTo: m), returns = poisson(mean: returnMean, upTo: m)
        var next = Array(repeating: Array(repeating: 0.0, count: m + 1), count: m + 1)
        var rentals = Array(repeating: 0.0, count: m + 1)
        for c in 0...m {
            for rented in 0...c {
                // P(rentals = rented): requests = rented exactly, or ≥ c when all cars go.
                let p = rented < c ? requests.pmf[rented] : requests.tail[c]
                rentals[c] += p * Double(rented)
                let left = c - rented
                for back in 0...(m - left) {
                    // Returns beyond the lot's capacity are lost: P(returns ≥ m − left) goes to the full lot.
                    let q = back < m - left ? returns.pmf[back] : returns.tail[m - left]
                    next[c][left + back] += p * q
                }
            }
        }
        return (next, rentals)
    }

    /// Poisson pmf(k) for k ≤ upTo and tail(k) = P(X ≥ k).
    static func poisson(mean: Double, upTo n: Int) -> (pmf: [Double], tail: [Double]) {
        var pmf = [Foundation.exp(-mean)]
        for k in 1...max(n, 1) { pmf.append(pmf[k - 1] * mean / Double(k)) }
        var tail = Array(repeating: 0.0, count: pmf.count)
        var below = 0.0
        for k in 0..<pmf.count { tail[k] = max(0, 1 - below); below += pmf[k] }
        return (pmf, tail)
    }
}
