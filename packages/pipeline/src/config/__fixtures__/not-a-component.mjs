// A module that is not a ComponentModule (for the loadComponent error test).
export default { hello: 'world' };
