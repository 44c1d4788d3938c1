import Foundation
import XCTest
@testable import IllusionReinforcement

/// Replays the fixture written by scripts/gymnasium_reference.py (Gymnasium FrozenLake-v1 and CartPole-v1)
/// against our environments, step by step.
final class GymnasiumReplayTests: XCTestCase {
    struct Fixture: Decodable {
        struct Lake: Decodable {
            struct Steps: Decodable {
                var state: [Int]; var action: [Int]; var next_state: [Int]; var reward: [Double]
                var terminated: [Int]; var truncated: [Int]
            }
            var map: String
            var slippery: Bool
            var max_episode_steps: Int
            var P: [[Entry]]
            var steps: Steps
        }
        /// `[state, action, [[p, next, reward, terminated], …]]` decoded loosely.
        enum Entry: Decodable {
            case number(Double)
            case outcomes([[Double]])
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let d = try? c.decode(Double.self) { self = .number(d); return }
                self = .outcomes(try c.decode([[Flexible]].self).map { $0.map(\.value) })
            }
        }
        struct Flexible: Decodable {
            var value: Double
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let b = try? c.decode(Bool.self) { value = b ? 1 : 0 } else { value = try c.decode(Double.self) }
            }
        }
        struct Episode: Decodable {
            var initial: [Double]; var actions: [Int]; var states: [[Double]]; var rewards: [Double]
            var terminated: [Int]; var truncated: [Int]
        }
        var frozenlake: [Lake]
        var cartpole: [Episode]
    }

    static let fixture: Fixture = {
        let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let data = try! Data(contentsOf: dir.appendingPathComponent("gymnasium_reference.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    /// Our P(s′|s, a), R and terminal flags equal Gymnasium's table `env.unwrapped.P` entry by entry.
    func testFrozenLakeTransitionTablesEqualGymnasium() throws {
        XCTAssertEqual(Self.fixture.frozenlake.count, 4)
        for lake in Self.fixture.frozenlake {
            let mdp = try FrozenLake.make(map: lake.map, slippery: lake.slippery)
            XCTAssertEqual(lake.P.count, mdp.stateCount * 4)
            XCTAssertEqual(lake.max_episode_steps, FrozenLake.timeLimit(map: lake.map))
            for entry in lake.P {
                guard case .number(let sd) = entry[0], case .number(let ad) = entry[1], case .outcomes(let outcomes) = entry[2] else {
                    return XCTFail("bad fixture entry")
                }
                let s = Int(sd), a = Int(ad)
                if mdp.isTerminal[s] {
                    // Gymnasium: absorbing with reward 0 and terminated — our terminal state of value 0.
                    XCTAssertEqual(outcomes.count, 1)
                    XCTAssertEqual(Int(outcomes[0][1]), s)
                    XCTAssertEqual(outcomes[0][2], 0)
                    continue
                }
                var theirs: [Int: (p: Double, r: Double, t: Bool)] = [:]
                for o in outcomes {
                    let n = Int(o[1])
                    theirs[n, default: (0, o[2], o[3] == 1)].p += o[0]
                }
                let k = try XCTUnwrap(mdp.choiceIndex(state: s, action: a))
                let ours = mdp.models[s][k].outcomes
                XCTAssertEqual(ours.count, theirs.count, "\(lake.map) s\(s) a\(a)")
                for o in ours {
                    let t = try XCTUnwrap(theirs[o.next], "\(lake.map) s\(s) a\(a) → \(o.next)")
                    XCTAssertEqual(o.probability, t.p, accuracy: 1e-12)
                    XCTAssertEqual(o.reward, t.r)
                    XCTAssertEqual(mdp.isTerminal[o.next], t.t)
                }
            }
        }
    }

    /// Every recorded step is possible under our dynamics with the same reward, termination and
    /// truncation (time limit), and the slippery outcomes occur about 1/3 each.
    func testFrozenLakeStepsReplay() throws {
        var total = 0, truncations = 0
        for lake in Self.fixture.frozenlake {
            let mdp = try FrozenLake.make(map: lake.map, slippery: lake.slippery)
            let st = lake.steps
            var stepInEpisode = 0, intended = 0, slipped = 0
            let ncol = mdp.layout!.columns
            for i in st.state.indices {
                let s = st.state[i], a = st.action[i], n = st.next_state[i]
                if i == 0 || st.terminated[i - 1] == 1 || st.truncated[i - 1] == 1 {
                    XCTAssertEqual(s, mdp.startState)
                    stepInEpisode = 0
                } else {
                    XCTAssertEqual(s, st.next_state[i - 1])
                }
                stepInEpisode += 1
                let k = try XCTUnwrap(mdp.choiceIndex(state: s, action: a))
                let outcome = try XCTUnwrap(mdp.models[s][k].outcomes.first { $0.next == n }, "\(lake.map) step \(i): \(s) -\(a)→ \(n) impossible")
                XCTAssertGreaterThan(outcome.probability, 0)
                XCTAssertEqual(outcome.reward, st.reward[i], "\(lake.map) step \(i)")
                XCTAssertEqual(mdp.isTerminal[n], st.terminated[i] == 1, "\(lake.map) step \(i)")
                XCTAssertEqual(!mdp.isTerminal[n] && stepInEpisode >= FrozenLake.timeLimit(map: lake.map), st.truncated[i] == 1,
                               "\(lake.map) step \(i)")
                if !lake.slippery {
                    XCTAssertEqual(outcome.probability, 1)
                }
                // Count steps whose intended move is distinguishable from both perpendicular ones.
                let dr = n / ncol - s / ncol, dc = n % ncol - s % ncol
                let along = [(0, -1), (1, 0), (0, 1), (-1, 0)][a]
                if dr == along.0 && dc == along.1 { intended += 1 } else if dr != 0 || dc != 0 { slipped += 1 }
            }
            total += st.state.count
            truncations += st.truncated.reduce(0, +)
            if lake.slippery {
                // Among moves that went somewhere, intended ≈ 1/3 · (moves), perpendicular ≈ 2/3 (minus walls): ratio in a wide band.
                let share = Double(intended) / Double(intended + slipped)
                XCTAssertGreaterThan(share, 0.25, lake.map)
                XCTAssertLessThan(share, 0.45, lake.map)
            } else {
                XCTAssertEqual(slipped, 0)
            }
        }
        XCTAssertGreaterThanOrEqual(total, 10_000)
        XCTAssertGreaterThan(truncations, 0)   // the time limit is exercised too
    }

    /// CartPole: from Gymnasium's recorded initial states, our Double physics reproduces every state
    /// (to 1e-12), reward, termination and the 500-step truncation.
    func testCartPoleStatesReplayToTightTolerance() {
        var steps = 0, truncations = 0
        for episode in Self.fixture.cartpole {
            var env = CartPole()
            env.reset(to: episode.initial)
            for (t, action) in episode.actions.enumerated() {
                let step = env.step(action)
                for j in 0..<4 {
                    XCTAssertEqual(step.state[j], episode.states[t][j], accuracy: 1e-12 * max(1, abs(episode.states[t][j])),
                                   "step \(t) component \(j)")
                }
                XCTAssertEqual(step.reward, episode.rewards[t])
                XCTAssertEqual(step.terminated, episode.terminated[t] == 1, "step \(t)")
                XCTAssertEqual(step.truncated, episode.truncated[t] == 1, "step \(t)")
                if step.truncated { truncations += 1 }
                steps += 1
            }
        }
        XCTAssertGreaterThanOrEqual(steps, 2000)
        XCTAssertGreaterThan(truncations, 0)
    }
}
