/** The ioctl-versus-sysfs cost model: see ./model.ts. */
export * from './model.ts';
