import 'reflect-metadata';

// Tests must not depend on the host's zone: business logic uses Asia/Tokyo explicitly.
process.env.TZ = process.env.TEST_TZ ?? 'UTC';
