/* A shared object that is no replyd module: no replyd_module symbol. */
int not_a_module(void);

int
not_a_module(void)
{
	return 0;
}
