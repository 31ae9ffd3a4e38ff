/**
 * Whether the type a schema describes and the type the code builds are the same, both ways: `true`, or `false` when
 * either has a property the other lacks, or one makes optional what the other requires. Used as
 * `type _ = Agrees<z.infer<typeof Batch>, BatchView>`: the API's documented answers cannot drift from what the
 * handlers send without a compile error ("Type 'false' does not satisfy the constraint 'true'") at that line.
 */
export type Agrees<Schema, Code> = [Schema] extends [Code] ? ([Code] extends [Schema] ? true : false) : false;

/** Compiles only when given `true`. */
export type Assert<T extends true> = T;
