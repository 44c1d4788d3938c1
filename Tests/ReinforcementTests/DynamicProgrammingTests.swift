import XCTest
@testable import IllusionReinforcement

/// Value iteration and policy iteration on every built-in MDP; Jack's car rental (Figure 4.2).
final class DynamicProgrammingTests: XCTestCase {
    static func builtIns() throws -> [MarkovDecisionProcess] {
        [try Gridworld.make(), try FrozenLake.make(map: "4x4", slippery: true), try FrozenLake.make(map: "4x4", slippery: false),
         try FrozenLake.make(map: "8x8", slippery: true), try FrozenLake.make(map: "8x8", slippery: false), try CarRental.make()]
    }

    static func initialPolicy(_ mdp: MarkovDecisionProcess) -> Policy? {
        mdp.name == "car-rental" ? .deterministic(mdp, choices: CarRental.noMoveChoices(mdp)) : nil
    }

    func testValueIterationAndPolicyIterationReachTheSameOptimalPolicy() throws {
        for mdp in try Self.builtIns() {
            let theta = 1e-10
            let vi = try ValueIteration.run(mdp, theta: theta)
            let pi = try PolicyIteration.run(mdp, initial: Self.initialPolicy(mdp), theta: theta)
            let scale = max(1, vi.values.map(abs).max()!)
            // Same values …
            for s in 0..<mdp.stateCount {
                XCTAssertEqual(vi.values[s], pi.finalValues[s], accuracy: 1e-6 * scale, "\(mdp.name) state \(mdp.stateNames[s])")
            }
            // … and each method's policy is optimal for the other's values (the same optimal action sets).
            let viSets = GreedyPolicy.optimalChoiceSets(mdp, values: vi.values, tolerance: 1e-6 * scale)
            let piSets = GreedyPolicy.optimalChoiceSets(mdp, values: pi.finalValues, tolerance: 1e-6 * scale)
            XCTAssertEqual(viSets, piSets, mdp.name)
            for s in 0..<mdp.stateCount where !mdp.isTerminal[s] {
                XCTAssertTrue(viSets[s].contains(vi.policy[s]), "\(mdp.name): VI action not optimal in \(mdp.stateNames[s])")
                XCTAssertTrue(viSets[s].contains(pi.finalPolicy[s]), "\(mdp.name): PI action not optimal in \(mdp.stateNames[s])")
            }
            // Where the optimum is unique, the two policies are identical.
            for s in 0..<mdp.stateCount where viSets[s].count == 1 { XCTAssertEqual(vi.policy[s], pi.finalPolicy[s]) }
        }
    }

    func testBellmanOptimalityResidualIsBelowTheThreshold() throws {
        for mdp in try Self.builtIns() {
            let theta = 1e-8
            let vi = try ValueIteration.run(mdp, theta: theta)
            XCTAssertLessThan(GreedyPolicy.bellmanOptimalityResidual(mdp, values: vi.values), theta, mdp.name)
            let pi = try PolicyIteration.run(mdp, initial: Self.initialPolicy(mdp), theta: theta)
            XCTAssertLessThan(GreedyPolicy.bellmanOptimalityResidual(mdp, values: pi.finalValues), theta / (1 - min(mdp.gamma, 0.999)), mdp.name)
            // A value table that is not optimal has a clear residual (the check can fail).
            let zero = [Double](repeating: 0, count: mdp.stateCount)
            XCTAssertGreaterThan(GreedyPolicy.bellmanOptimalityResidual(mdp, values: zero), 0.01, mdp.name)
        }
    }

    func testJacksPolicyIterationTerminatesWithMonotoneImprovement() throws {
        let mdp = try CarRental.make()
        let result = try PolicyIteration.run(mdp, initial: .deterministic(mdp, choices: CarRental.noMoveChoices(mdp)), theta: 1e-9)
        // π₀ (never move) … π₄, and π₄ is stable: four improvements, as in Figure 4.2.
        XCTAssertEqual(result.improvements, 4, "changed states per step: \(result.changedStates)")
        XCTAssertEqual(result.changedStates.last, 0)
        for gain in result.smallestGains { XCTAssertGreaterThan(gain, -1e-6) }   // v_{π_{k+1}} ≥ v_{π_k} everywhere
        // Strictly better somewhere at each step (well above the evaluation threshold).
        XCTAssertEqual(result.largestGains.count, 4)
        for gain in result.largestGains { XCTAssertGreaterThan(gain, 0.01) }
        // Figure 4.2's v_{π₄} starts at about 420 with no cars; it is largest with 20 cars at both lots
        // (637 with the exact Poisson tails used here; the book's axis ends at 612).
        let v = result.finalValues
        XCTAssertEqual(v[0], 420, accuracy: 5)
        XCTAssertEqual(v.max()!, v[20 * 21 + 20])
        XCTAssertEqual(v[20 * 21 + 20], 637.0, accuracy: 0.5)
        // π₄ moves cars from the full lot 1 to lot 2: 5 cars when (20, 0), none at (10, 10) … move toward the lot that rents more.
        let moved = { (n1: Int, n2: Int) -> Int in mdp.actions[n1 * 21 + n2][result.finalPolicy[n1 * 21 + n2]] - 5 }
        XCTAssertEqual(moved(20, 0), 5)
        XCTAssertEqual(moved(0, 0), 0)
        XCTAssertLessThan(moved(0, 20), 0)
    }

    func testCarRentalTablesAreDistributions() throws {
        let table = CarRental.locationTable(maxCars: 20, requestMean: 3, returnMean: 3)
        for row in table.next { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12) }
        // With 20 cars nearly every request is served: E[rentals] ≈ the request mean.
        XCTAssertEqual(table.expectedRentals[20], 3, accuracy: 1e-6)
        XCTAssertEqual(table.expectedRentals[0], 0)
        XCTAssertLessThan(table.expectedRentals[2], 2)
    }
}
