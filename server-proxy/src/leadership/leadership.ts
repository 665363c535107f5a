/**
 * Which replica runs the controllers. Several service processes may share one PostgreSQL database; only
 * the leader runs the work that must happen once (launching and watching runs, HPO experiments,
 * deployments, retention, webhook delivery, schedules). Controllers register here and are started when
 * this replica becomes leader and stopped the moment it stops being one.
 */

/** Something that runs only on the leader. */
export interface LeaderController {
  /** For logs. */
  readonly name: string;
  /** Starts the controller; adopting what the previous leader left running is its job. */
  start(): Promise<void> | void;
  /** Stops it at once; work in flight (runners, pods) keeps running for the next leader. */
  stop(): Promise<void> | void;
}

/** Elects this replica: tells it when it gains and loses leadership. */
export interface Elector {
  /** What `/api/v1/info` says about the election. */
  readonly kind: 'single' | 'advisory-lock' | 'lease';
  /** Starts campaigning; `changed` is called with true on each win and false on each loss. */
  start(changed: (leading: boolean) => void): Promise<void>;
  /** Stops campaigning and gives leadership up (another replica may take it at once). */
  stop(): Promise<void>;
}

/** The single process of a SQLite service: always the leader. */
export class SingleProcessElector implements Elector {
  readonly kind = 'single' as const;

  async start(changed: (leading: boolean) => void): Promise<void> {
    changed(true);
  }

  async stop(): Promise<void> {}
}

/** Where the coordinator reports what it did. */
interface LeadershipLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Starts the registered controllers when the elector says this replica leads and stops them when it
 * says it does not. Changes are applied one at a time, in order, so a quick loss-then-win never runs two
 * copies of a controller.
 */
export class Leadership {
  private readonly controllers: LeaderController[] = [];
  private running = false;
  private wanted = false;
  private applying: Promise<void> = Promise.resolve();
  private listeners: ((leading: boolean) => void)[] = [];
  /** When this replica last became leader (ms since the epoch); undefined while following. */
  leaderSince?: number;

  constructor(
    private readonly elector: Elector,
    private readonly log: LeadershipLog
  ) {}

  /** How this replica is elected. */
  get kind(): Elector['kind'] {
    return this.elector.kind;
  }

  /** Whether this replica is the leader right now (its controllers run or are starting). */
  get leading(): boolean {
    return this.wanted;
  }

  /** Adds a controller; controllers start in the order they registered and stop in reverse. Call before {@link start}. */
  register(controller: LeaderController): void {
    this.controllers.push(controller);
  }

  /** Hears of each change of leadership (after the controllers have been started or stopped). */
  onChange(listener: (leading: boolean) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter(l => l !== listener);
    };
  }

  /** Starts campaigning; resolves once the first answer is applied when it came at once (always with SQLite). */
  async start(): Promise<void> {
    await this.elector.start(leading => this.changed(leading));
    await this.settled();
  }

  /** Stops the controllers (if leading) and gives leadership up. */
  async stop(): Promise<void> {
    this.changed(false);
    await this.settled();
    await this.elector.stop();
  }

  /** Resolves once the last change has been applied. */
  async settled(): Promise<void> {
    let current;
    do {
      current = this.applying;
      await current;
    } while (current !== this.applying);
  }

  private changed(leading: boolean): void {
    if (leading === this.wanted) {
      return;
    }
    this.wanted = leading;
    // Every change is applied, none skipped: a loss followed at once by a win still stops the controllers,
    // since another replica may have led in between.
    this.applying = this.applying.then(() => this.apply(leading));
  }

  private async apply(leading: boolean): Promise<void> {
    if (leading === this.running) {
      return;
    }
    this.running = leading;
    if (leading) {
      this.leaderSince = Date.now();
      this.log.info({ election: this.kind }, 'this replica is the leader: starting controllers');
      for (const c of this.controllers) {
        try {
          await c.start();
        } catch (err) {
          this.log.error({ err, controller: c.name }, 'a controller failed to start');
        }
      }
    } else {
      this.leaderSince = undefined;
      this.log.info({ election: this.kind }, 'this replica is no longer the leader: stopping controllers');
      for (const c of [...this.controllers].reverse()) {
        try {
          await c.stop();
        } catch (err) {
          this.log.error({ err, controller: c.name }, 'a controller failed to stop');
        }
      }
    }
    for (const l of this.listeners) {
      l(leading);
    }
  }
}
